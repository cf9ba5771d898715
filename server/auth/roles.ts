// Staff roles and what each may do (docs/decisions/003-staff-side.md). The one place that maps
// a role to the actor kind recorded in ticket events and to the ticket actions it may take.
import type { ActorKind } from '../tickets/lifecycle.ts';

export const ROLES = ['admin', 'dispatcher', 'operator', 'unit', 'leader', 'inspector', 'patrol'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: '创城办管理员',
  dispatcher: '创城办调度员',
  operator: '热线话务员',
  unit: '责任单位工作人员',
  leader: '领导（只读）',
  inspector: '创城办督导员',
  patrol: '社会巡访监督员',
};

export interface StaffUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  /** Set for (and only for) unit staff. */
  unitCode: string | null;
}

/** The actor kind a role acts as; null for roles that change nothing. */
export function actorKindOf(role: Role): ActorKind | null {
  switch (role) {
    case 'admin':
    case 'dispatcher':
      return 'office';
    case 'unit':
      return 'unit';
    case 'operator':
      return 'operator';
    case 'inspector':
      return 'inspector';
    case 'patrol':
      return 'patrol';
    case 'leader':
      return null;
  }
}

/** Roles that see every ticket and the reporters' contact details. */
export function isOffice(user: StaffUser): boolean {
  return user.role === 'admin' || user.role === 'dispatcher';
}

export function canSeeReporter(user: StaffUser): boolean {
  return isOffice(user) || user.role === 'operator';
}

/** Whether the user may see this ticket at all: unit staff only their own unit's. */
export function canSeeTicket(user: StaffUser, ticket: { leadUnitCode: string | null }): boolean {
  // Patrol members are citizens, not staff: they see only their own reports, through their own page.
  if (user.role === 'patrol') return false;
  return user.role !== 'unit' || (ticket.leadUnitCode !== null && ticket.leadUnitCode === user.unitCode);
}
