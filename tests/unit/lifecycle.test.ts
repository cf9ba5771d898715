import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../server/errors.ts';
import {
  ACTIONS,
  ACTION_LABELS,
  STATUSES,
  STATUS_LABELS,
  TERMINAL_STATUSES,
  TRANSITIONS,
  nextStatus,
  statusLabel,
  type ActorKind,
  type Status,
} from '../../server/tickets/lifecycle.ts';

const ACTORS: ActorKind[] = ['resident', 'system', 'office', 'unit', 'operator'];

// The expected table, written out by hand from DOMAIN.md so that a change to TRANSITIONS
// must be made twice on purpose: [action, from, to].
const EXPECTED: Array<[string, Status, Status]> = [
  ['dispatch', 'received', 'dispatched'],
  ['dispatch', 'returned', 'dispatched'],
  ['dispatch', 'reopened', 'dispatched'],
  ['reassign', 'dispatched', 'dispatched'],
  ['reassign', 'accepted', 'dispatched'],
  ['reassign', 'rectifying', 'dispatched'],
  ['accept', 'dispatched', 'accepted'],
  ['acceptOnBehalf', 'dispatched', 'accepted'],
  ['return', 'dispatched', 'returned'],
  ['return', 'accepted', 'returned'],
  ['startRectification', 'accepted', 'rectifying'],
  ['requestExtension', 'accepted', 'extension_requested'],
  ['requestExtension', 'rectifying', 'extension_requested'],
  ['approveExtension', 'extension_requested', 'rectifying'],
  ['refuseExtension', 'extension_requested', 'rectifying'],
  ['reportRectification', 'accepted', 'reported'],
  ['reportRectification', 'rectifying', 'reported'],
  ['verify', 'reported', 'closed'],
  ['sendBack', 'reported', 'rectifying'],
  ['reject', 'received', 'rejected'],
  ['reject', 'returned', 'rejected'],
  ['reject', 'reopened', 'rejected'],
  ['merge', 'received', 'merged'],
  ['merge', 'returned', 'merged'],
  ['merge', 'reopened', 'merged'],
  ['merge', 'dispatched', 'merged'],
  ['reopen', 'closed', 'reopened'],
  ['reopen', 'rejected', 'reopened'],
];

describe('ticket lifecycle', () => {
  it('every status and action has a Chinese label', () => {
    for (const s of STATUSES) expect(STATUS_LABELS[s]).toMatch(/\p{Script=Han}/u);
    for (const a of ACTIONS) expect(ACTION_LABELS[a]).toMatch(/\p{Script=Han}/u);
  });

  it('allows exactly the expected (action, from) pairs, for every action × status × actor', () => {
    let checked = 0;
    for (const action of ACTIONS) {
      for (const from of STATUSES) {
        for (const actor of ACTORS) {
          const expected = EXPECTED.find(([a, f]) => a === action && f === from);
          const allowedActor = (TRANSITIONS[action].by as readonly ActorKind[]).includes(actor);
          checked++;
          if (expected && allowedActor) {
            expect(nextStatus(from, action, actor, 'a reason'), `${action} from ${from} by ${actor}`).toBe(expected[2]);
          } else {
            expect(() => nextStatus(from, action, actor, 'a reason'), `${action} from ${from} by ${actor}`).toThrow(ConflictError);
          }
        }
      }
    }
    expect(checked).toBe(ACTIONS.length * STATUSES.length * ACTORS.length);
  });

  it('the table has no transition the expected list lacks', () => {
    const actual = ACTIONS.flatMap((a) => TRANSITIONS[a].from.map((f) => `${a}:${f}:${TRANSITIONS[a].to}`)).sort();
    expect(actual).toEqual(EXPECTED.map(([a, f, t]) => `${a}:${f}:${t}`).sort());
  });

  it('requires a reason where the table says so, in Chinese', () => {
    for (const action of ACTIONS) {
      const rule = TRANSITIONS[action];
      const from = rule.from[0]!;
      const actor = rule.by[0]!;
      if (rule.needsReason) {
        expect(() => nextStatus(from, action, actor, '  ')).toThrow(/理由/);
        expect(() => nextStatus(from, action, actor, null)).toThrow(ConflictError);
      } else {
        expect(nextStatus(from, action, actor)).toBe(rule.to);
      }
    }
  });

  it('residents can change nothing after submitting', () => {
    for (const action of ACTIONS) for (const from of STATUSES) expect(() => nextStatus(from, action, 'resident', 'x')).toThrow();
  });

  it('every status is reachable from received, and closed is reachable from every non-terminal status', () => {
    const edges = ACTIONS.flatMap((a) => TRANSITIONS[a].from.map((f) => [f, TRANSITIONS[a].to] as const));
    const reach = (start: Status) => {
      const seen = new Set<Status>([start]);
      for (let grew = true; grew;) {
        grew = false;
        for (const [f, t] of edges) if (seen.has(f) && !seen.has(t)) (seen.add(t), (grew = true));
      }
      return seen;
    };
    expect([...reach('received')].sort()).toEqual([...STATUSES].sort());
    for (const s of STATUSES) if (!TERMINAL_STATUSES.includes(s)) expect(reach(s).has('closed'), s).toBe(true);
  });

  // Issue 14: an inspector's re-check (复查) strikes a problem off, sends it back or reopens it and
  // returns it to its unit; nothing else.
  it('an inspector takes exactly the re-check’s actions', () => {
    const inspectorActions = ACTIONS.filter((a) => (TRANSITIONS[a].by as readonly ActorKind[]).includes('inspector'));
    expect(inspectorActions).toEqual(['dispatch', 'verify', 'sendBack', 'reopen']);
    expect(nextStatus('reported', 'verify', 'inspector')).toBe('closed');
    expect(nextStatus('closed', 'reopen', 'inspector', '复查未整改到位：标线模糊')).toBe('reopened');
  });

  // Issue 12: 签收 is the unit's act; the office can only record one for it, as its own action with a reason.
  it('only a unit acknowledges, starts or reports a rectification; the office acknowledges only on the unit’s behalf, with a reason', () => {
    for (const action of ['accept', 'startRectification', 'reportRectification', 'requestExtension', 'return'] as const) {
      expect(TRANSITIONS[action].by, action).toEqual(['unit']);
    }
    expect(() => nextStatus('dispatched', 'accept', 'office')).toThrow(
      '签收只能由责任单位办理；单位已用别的方式确认承办的，请用“代为签收”并写明理由。',
    );
    expect(() => nextStatus('reported', 'verify', 'unit')).toThrow('核验销号只能由创城办或创城办督导员办理。');
    expect(() => nextStatus('closed', 'dispatch', 'office')).toThrow('这件工单现在是“已办结”，不能派单。');
    expect(TRANSITIONS.acceptOnBehalf.by).toEqual(['office']);
    expect(() => nextStatus('dispatched', 'acceptOnBehalf', 'office', ' ')).toThrow(/理由/);
    expect(nextStatus('dispatched', 'acceptOnBehalf', 'office', '视频点评会上当场认领')).toBe('accepted');
    expect(ACTION_LABELS.acceptOnBehalf).toBe('代为签收');
  });

  it('an acceptance on the unit’s behalf does not read as the unit’s own 签收', () => {
    expect(statusLabel('accepted')).toBe('责任单位已签收');
    expect(statusLabel('accepted', true)).toBe('创城办已代责任单位签收');
    expect(statusLabel('rectifying', true)).toBe(STATUS_LABELS.rectifying);
  });

  it('a merged ticket stays merged', () => {
    for (const action of ACTIONS) for (const actor of ACTORS) expect(() => nextStatus('merged', action, actor, 'x')).toThrow();
  });
});
