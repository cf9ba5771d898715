// Staff accounts for integration tests, created through the portal's own account service (the
// same checks as the admin console: username format, role and unit, password rules).
//
//   const users = await createStaff(t, [
//     ['dispatcher', 'dispatcher'],
//     ['jiaojing01', 'unit', 'jiaojing'],
//   ]);
//   await t.portal.services.staff.act(users.jiaojing01, { trackingCode, act: { action: 'accept' } });
//
// The display name is the username unless a spec or `displayName` says otherwise; the password is
// STAFF_PASSWORD unless `password` says otherwise (pass it where the test signs in with its own).
import type { Role, StaffUser } from '../../server/auth/roles.ts';
import type { TestPortal } from './portal.ts';

export const STAFF_PASSWORD = 'staff-pass-42';

export interface StaffSpec {
  username: string;
  role: Role;
  /** Set for (and only for) unit staff. */
  unitCode?: string | null;
  /** Default: the username. */
  displayName?: string;
  /** Default: STAFF_PASSWORD. */
  password?: string;
}

/** One staff account, as the StaffUser the services and routers take. */
export async function createStaffUser(t: TestPortal, spec: StaffSpec): Promise<StaffUser> {
  const u = await t.portal.services.accounts.createUser({
    username: spec.username,
    displayName: spec.displayName ?? spec.username,
    role: spec.role,
    unitCode: spec.unitCode ?? null,
    password: spec.password ?? STAFF_PASSWORD,
  });
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role, unitCode: u.unitCode };
}

/** [username, role, unit code (unit staff only)] */
export type StaffRow = readonly [username: string, role: Role, unitCode?: string | null];

/**
 * Several staff accounts, created in order, by username. `displayName` names each from its
 * username (default: the username itself); `password` is shared (default STAFF_PASSWORD).
 */
export async function createStaff<const Rows extends readonly StaffRow[]>(
  t: TestPortal,
  rows: Rows,
  o: { displayName?: (username: string) => string; password?: string } = {},
): Promise<Record<Rows[number][0], StaffUser>> {
  const users: Record<string, StaffUser> = {};
  for (const [username, role, unitCode] of rows) {
    users[username] = await createStaffUser(t, {
      username,
      role,
      unitCode,
      displayName: o.displayName?.(username) ?? username,
      password: o.password,
    });
  }
  return users as Record<Rows[number][0], StaffUser>;
}
