// Who may open which console page, where each role starts, and the navigation it sees. The
// server enforces every action again in the domain (server/staff, server/auth); this only decides
// which pages a role is shown, so a person is not sent to a page that would refuse them.
import type { Role, StaffUser } from '../../../server/auth/roles.ts';
import type { SessionStep } from '../../../server/auth/account-rules.ts';
import { sameSitePath } from '../../../server/http/same-site-path.ts';

export type ConsoleArea =
  | 'queue'
  | 'inbox'
  | 'verify'
  | 'users'
  | 'units'
  | 'escalations'
  | 'mailbox'
  | 'ticket'
  | 'hotline'
  | 'followUps'
  | 'notices'
  | 'publishing'
  | 'inspect'
  | 'scores'
  | 'inspection'
  | 'patrol'
  | 'findings'
  | 'persuasion'
  | 'system';

const AREA_ROLES: Record<ConsoleArea, readonly Role[]> = {
  queue: ['admin', 'dispatcher', 'operator', 'leader'],
  inbox: ['unit'],
  verify: ['admin', 'dispatcher', 'leader'],
  users: ['admin'],
  units: ['admin', 'dispatcher', 'operator', 'leader'],
  escalations: ['admin', 'dispatcher', 'leader', 'unit'],
  mailbox: ['admin', 'dispatcher', 'leader'],
  ticket: ['admin', 'dispatcher', 'operator', 'unit', 'leader'],
  // The hotline and its follow-up calls show callers' full numbers: operators and the office only.
  hotline: ['operator', 'admin', 'dispatcher'],
  followUps: ['operator', 'admin', 'dispatcher'],
  // Exposure notices: the office composes and reviews, units see and answer their own, leaders read.
  notices: ['admin', 'dispatcher', 'leader', 'unit'],
  // The public site's builds: the office and leaders.
  publishing: ['admin', 'dispatcher', 'leader'],
  // The citizen patrol group's phone page (issue 14): its members only.
  patrol: ['patrol'],
  // Findings of the media, leaders and NPC/CPPCC inspections, entered by the office.
  findings: ['admin', 'dispatcher'],
  // The patrol group's persuasion tally: the office and leaders.
  persuasion: ['admin', 'dispatcher', 'leader'],
  // The inspector's phone page: the rounds the office gave them (督导检查).
  inspect: ['inspector'],
  // The units' scores (考核): the office and leaders; a unit sees the ranking and its own details.
  scores: ['admin', 'dispatcher', 'leader', 'unit'],
  // Inspection rounds (督导检查): the office plans and closes them, leaders follow them.
  inspection: ['admin', 'dispatcher', 'leader'],
  // The system's state (backups): the office.
  system: ['admin', 'dispatcher'],
};

const NAV: Array<{ area: ConsoleArea; href: string; text: string }> = [
  { area: 'queue', href: '/console', text: '办件队列' },
  { area: 'inbox', href: '/console/inbox', text: '本单位待办' },
  { area: 'verify', href: '/console/verify', text: '核验' },
  { area: 'hotline', href: '/console/hotline', text: '热线受理' },
  { area: 'followUps', href: '/console/follow-ups', text: '回访' },
  { area: 'escalations', href: '/console/escalations', text: '升级记录' },
  { area: 'notices', href: '/console/notices', text: '曝光' },
  { area: 'publishing', href: '/console/publishing', text: '发布' },
  { area: 'scores', href: '/console/scores', text: '单位考核' },
  { area: 'inspection', href: '/console/inspection', text: '督导检查' },
  { area: 'findings', href: '/console/findings', text: '录入暗访督导' },
  { area: 'persuasion', href: '/console/persuasion', text: '劝导统计' },
  { area: 'patrol', href: '/console/patrol', text: '巡访反映' },
  { area: 'units', href: '/console/units', text: '单位' },
  { area: 'mailbox', href: '/console/mailbox', text: '专用邮箱' },
  { area: 'users', href: '/console/users', text: '用户管理' },
  { area: 'system', href: '/console/system', text: '系统状态' },
  { area: 'inspect', href: '/console/inspect', text: '我的督导任务' },
];

/** The name of a role's home page, for "返回…" links. */
export function homeName(user: StaffUser): string {
  const home = homeOf(user);
  return NAV.find((item) => item.href === home)?.text ?? '办件队列';
}

export function mayOpen(user: StaffUser, area: ConsoleArea): boolean {
  return AREA_ROLES[area].includes(user.role);
}

export function navFor(user: StaffUser): Array<{ area: ConsoleArea; href: string; text: string }> {
  return NAV.filter((item) => mayOpen(user, item.area));
}

/**
 * Where a role lands after signing in: unit staff in their inbox, operators at the phone, inspectors
 * at their rounds, patrol members at their report form, everyone else in the queue.
 */
export function homeOf(user: StaffUser): string {
  if (user.role === 'unit') return '/console/inbox';
  if (user.role === 'operator') return '/console/hotline';
  if (user.role === 'patrol') return '/console/patrol';
  if (user.role === 'inspector') return '/console/inspect';
  return '/console';
}

/**
 * A `next` address is followed only within the console: resolved as the browser would resolve it
 * (server/http/same-site-path.ts, the host's rule for every redirect taken from a request), it
 * must stay on this site and in /console — not the login or logout page itself.
 */
export function safeNext(next: string | null | undefined): string | null {
  const path = sameSitePath(next);
  if (!path || !/^\/console(?:[/?#]|$)/.test(path) || /^\/console\/log(?:in|out)(?:[/?#]|$)/.test(path)) return null;
  return path;
}

export function loginUrl(url: URL): string {
  return `/console/login?next=${encodeURIComponent(url.pathname + url.search)}`;
}

export type Access = { kind: 'ok'; user: StaffUser } | { kind: 'redirect'; to: string } | { kind: 'forbidden'; user: StaffUser };

/** The server-side guard of every console page. */
export function checkAccess(user: StaffUser | null, url: URL, area: ConsoleArea): Access {
  if (!user) return { kind: 'redirect', to: loginUrl(url) };
  if (mayOpen(user, area)) return { kind: 'ok', user };
  // The queue is "home": staff whose home is another page (units, inspectors, patrol members) are sent there rather than refused.
  if (area === 'queue') return { kind: 'redirect', to: homeOf(user) };
  return { kind: 'forbidden', user };
}

/** The page of each step a session must take before the console opens (server/auth/account-rules.ts). */
const STEP_PAGES: Record<SessionStep, string> = {
  code: '/console/login/code',
  password: '/console/account/password',
  enrol: '/console/account/two-factor',
};

/** Where a person goes once signed in, or after one step: the next step's page (carrying `next`), else `next` or their home. */
export function afterSignIn(step: SessionStep | null, user: StaffUser, next: string | null): string {
  if (!step) return next ?? homeOf(user);
  return next ? `${STEP_PAGES[step]}?next=${encodeURIComponent(next)}` : STEP_PAGES[step];
}
