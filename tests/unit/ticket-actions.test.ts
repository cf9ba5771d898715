// The ticket page's action panel offers what the lifecycle allows the role, and opens first only
// the step the person is there to take (issue 12: after a dispatch the office's default was 签收).
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../server/auth/roles.ts';
import { STATUSES } from '../../server/tickets/lifecycle.ts';
import { allowedActions, DONE_MESSAGES, nothingToDo, usualNext } from '../../src/components/console/ticket-actions.ts';

describe('the action panel', () => {
  it('offers the office no 签收, start or report of a unit’s, in any state', () => {
    for (const role of ['admin', 'dispatcher'] as const) {
      for (const status of STATUSES) {
        expect(allowedActions(role, status), `${role} ${status}`).not.toContain('accept');
        expect(allowedActions(role, status)).not.toContain('startRectification');
        expect(allowedActions(role, status)).not.toContain('reportRectification');
      }
      expect(allowedActions(role, 'dispatched')).toEqual(['reassign', 'acceptOnBehalf', 'merge']);
    }
  });

  it('opens nothing first while the ticket waits for its unit, and the unit’s next step for the unit', () => {
    for (const status of ['dispatched', 'accepted', 'rectifying'] as const) {
      expect(usualNext(allowedActions('dispatcher', status)), status).toBeNull();
    }
    expect(usualNext(allowedActions('dispatcher', 'received'))).toBe('dispatch');
    expect(usualNext(allowedActions('dispatcher', 'reported'))).toBe('verify');
    expect(usualNext(allowedActions('unit', 'dispatched'))).toBe('accept');
    expect(usualNext(allowedActions('unit', 'rectifying'))).toBe('reportRectification');
  });

  it('says in plain words why there is nothing to do, and what each action did', () => {
    for (const role of ROLES)
      for (const status of STATUSES) expect(nothingToDo(role, status)).toMatch(/^[\p{Script=Han}“”，。、：；（）\s]+$/u);
    expect(nothingToDo('unit', 'reported')).toBe('整改结果已反馈，正等创城办核验。核验没通过的会退回本单位。');
    for (const message of Object.values(DONE_MESSAGES)) expect(message).not.toMatch(/已完成：/);
  });
});
