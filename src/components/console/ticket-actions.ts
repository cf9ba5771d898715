// Which actions a person may take on a ticket now: read from the lifecycle table and the role's
// actor kind, the same two facts the server checks (server/tickets/lifecycle.ts,
// server/auth/roles.ts), so the console offers exactly what the server would accept.
import { actorKindOf, type Role } from '../../../server/auth/roles.ts';
import { ACTIONS, TRANSITIONS, type Action, type Status } from '../../../server/tickets/lifecycle.ts';

export function allowedActions(role: Role, status: Status): Action[] {
  const kind = actorKindOf(role);
  if (!kind) return [];
  return ACTIONS.filter((action) => {
    const rule = TRANSITIONS[action];
    return (rule.by as readonly string[]).includes(kind) && (rule.from as readonly Status[]).includes(status);
  });
}

/** The action most people take next, opened first; the others are one click away. */
const USUAL_NEXT: readonly Action[] = ['dispatch', 'accept', 'reportRectification', 'approveExtension', 'verify', 'reopen'];

export function usualNext(actions: readonly Action[]): Action | null {
  return USUAL_NEXT.find((a) => actions.includes(a)) ?? actions[0] ?? null;
}
