// Who is shown the ledgers (三本帐) and the monthly report (工作月报), and where they sit in the
// console's navigation. The rules themselves live in server/ledgers/ledger-access.ts (the pages
// ask it and show the refusal page when it says no); this mirrors them only to decide which links
// a role is shown: office and leaders both, unit staff the ledgers (their own rows), hotline
// operators neither.
import type { Role, StaffUser } from '../../../../server/auth/roles.ts';
import { statusOf } from '../../../../server/errors.ts';
import type { ConsoleArea } from '../console-access.ts';

export const LEDGER_ROLES: readonly Role[] = ['admin', 'dispatcher', 'leader', 'unit'];
export const MONTHLY_REPORT_ROLES: readonly Role[] = ['admin', 'dispatcher', 'leader'];

export interface NavItem {
  area?: ConsoleArea;
  href: string;
  text: string;
  /** This page (or one under it) is open. */
  active?: boolean;
}

export const LEDGER_TABS = [
  { ledger: 'points', href: '/console/ledgers/points', text: '点位台帐' },
  { ledger: 'problems', href: '/console/ledgers/problems', text: '问题台帐' },
  { ledger: 'rectifications', href: '/console/ledgers/rectifications', text: '整改台帐' },
] as const;

/** The role's navigation with 三本帐 and 工作月报 added after 升级记录 (or the unit's inbox). */
export function withLedgerNav(
  nav: ReadonlyArray<{ area: ConsoleArea; href: string; text: string }>,
  user: StaffUser,
  pathname: string,
): NavItem[] {
  const extra: NavItem[] = [];
  if (LEDGER_ROLES.includes(user.role))
    extra.push({ href: '/console/ledgers/problems', text: '三本帐', active: pathname.startsWith('/console/ledgers') });
  if (MONTHLY_REPORT_ROLES.includes(user.role))
    extra.push({ href: '/console/monthly-report', text: '工作月报', active: pathname.startsWith('/console/monthly-report') });
  if (extra.length === 0) return [...nav];
  const anchor =
    ['escalations', 'verify', 'inbox', 'queue'].map((a) => nav.findIndex((i) => i.area === a)).find((i) => i >= 0) ?? nav.length - 1;
  return [...nav.slice(0, anchor + 1), ...extra, ...nav.slice(anchor + 1)];
}

/** A refusal from server/ledgers/ledger-access.ts (or any domain ForbiddenError). */
export function isForbidden(error: unknown): boolean {
  return statusOf(error).kind === 'forbidden';
}

/** A Chinese input error from the domain (e.g. a month not begun). */
export function isInvalidInput(error: unknown): error is Error {
  const { kind } = statusOf(error);
  return kind === 'invalid-input' || kind === 'unsupported-content';
}
