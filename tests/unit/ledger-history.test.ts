// The rules the ledgers and the monthly report share (server/ledgers/ticket-history.ts): state at
// a moment replayed from events, overdue days, the deadline in force, and rectification rounds.
import { describe, expect, it } from 'vitest';
import type { Status } from '../../server/tickets/lifecycle.ts';
import {
  daysOverdue,
  foldEvent,
  holdingUnitCode,
  initialState,
  isOnTime,
  rectificationRounds,
  stateBefore,
  type HistoryEvent,
} from '../../server/ledgers/ticket-history.ts';
import { DEADLINE_RUNNING_STATUSES } from '../../server/tickets/lifecycle.ts';

let seq = 0;
const ev = (
  at: string,
  action: string,
  toStatus: Status,
  data: Record<string, unknown> = {},
  reason: string | null = null,
): HistoryEvent => ({
  seq: ++seq,
  at,
  action,
  toStatus,
  reason,
  data,
});

const dispatch = (at: string, unit: string, deadlineAt: string) =>
  ev(at, 'dispatch', 'dispatched', {
    leadUnitCode: unit,
    cooperatingUnitCodes: ['zhujianju'],
    categoryCode: 'market.hygiene',
    deadlineAt,
    suggested: { unitCode: unit },
  });

describe('ticket history', () => {
  it('replays the state at a moment from the events before it', () => {
    const events = [
      ev('2026-11-01T00:00:00.000Z', 'submit', 'received', { channel: 'web' }),
      dispatch('2026-11-01T01:00:00.000Z', 'fagaiju', '2026-11-08T01:00:00.000Z'),
      ev('2026-11-02T00:00:00.000Z', 'accept', 'accepted', { acknowledgedAt: '2026-11-02T00:00:00.000Z' }),
      ev('2026-11-03T00:00:00.000Z', 'startRectification', 'rectifying'),
      ev(
        '2026-11-04T00:00:00.000Z',
        'requestExtension',
        'extension_requested',
        { requestedDeadlineAt: '2026-11-15T00:00:00.000Z' },
        '缺材料',
      ),
      ev('2026-11-05T00:00:00.000Z', 'approveExtension', 'rectifying', { deadlineAt: '2026-11-15T00:00:00.000Z' }),
      ev('2026-11-06T00:00:00.000Z', 'reportRectification', 'reported', { text: '已清理', photoIds: ['a'] }),
      ev('2026-11-07T00:00:00.000Z', 'verify', 'closed', { closedAt: '2026-11-07T00:00:00.000Z' }),
      ev(
        '2026-11-20T00:00:00.000Z',
        'reopen',
        'reopened',
        { closedAt: null, leadUnitCode: null, cooperatingUnitCodes: [], deadlineAt: null },
        '又脏了',
      ),
    ];
    const initial = initialState('market');
    expect(stateBefore(events, '2026-11-01T00:00:00.000Z', initial)).toBeNull();
    expect(stateBefore(events, '2026-11-01T00:30:00.000Z', initial)).toEqual({ ...initial, status: 'received' });
    expect(stateBefore(events, '2026-11-04T12:00:00.000Z', initial)).toEqual({
      status: 'extension_requested',
      categoryCode: 'market.hygiene',
      leadUnitCode: 'fagaiju',
      cooperatingUnitCodes: ['zhujianju'],
      // A requested deadline is not in force until approved.
      deadlineAt: '2026-11-08T01:00:00.000Z',
      closedAt: null,
    });
    expect(stateBefore(events, '2026-11-05T12:00:00.000Z', initial)?.deadlineAt).toBe('2026-11-15T00:00:00.000Z');
    expect(stateBefore(events, '2026-11-10T00:00:00.000Z', initial)).toMatchObject({
      status: 'closed',
      closedAt: '2026-11-07T00:00:00.000Z',
    });
    expect(stateBefore(events, '2026-12-01T00:00:00.000Z', initial)).toMatchObject({
      status: 'reopened',
      closedAt: null,
      leadUnitCode: null,
      deadlineAt: null,
    });
  });

  it('takes the closing moment from the verify event, and forgets it when the ticket leaves "closed"', () => {
    const closed = foldEvent(initialState(null), ev('2026-11-07T00:00:00.000Z', 'verify', 'closed'));
    expect(closed.closedAt).toBe('2026-11-07T00:00:00.000Z');
    expect(foldEvent(closed, ev('2026-11-08T00:00:00.000Z', 'reopen', 'reopened')).closedAt).toBeNull();
  });

  it('counts started days overdue only while a unit owes the rectification', () => {
    const deadline = '2026-11-10T02:00:00.000Z';
    const at = (iso: string) => new Date(iso);
    expect(DEADLINE_RUNNING_STATUSES).toEqual(['dispatched', 'accepted', 'rectifying', 'extension_requested']);
    expect(daysOverdue('rectifying', deadline, at('2026-11-10T02:00:00.000Z'))).toBe(0);
    expect(daysOverdue('rectifying', deadline, at('2026-11-10T02:00:00.001Z'))).toBe(1);
    expect(daysOverdue('rectifying', deadline, at('2026-11-11T02:00:00.000Z'))).toBe(1);
    expect(daysOverdue('dispatched', deadline, at('2026-11-11T02:00:01.000Z'))).toBe(2);
    expect(daysOverdue('extension_requested', deadline, at('2026-11-20T00:00:00.000Z'))).toBe(10);
    for (const waitingForOffice of ['reported', 'received', 'returned', 'reopened', 'closed', 'rejected', 'merged'] as const) {
      expect(daysOverdue(waitingForOffice, deadline, at('2026-12-01T00:00:00.000Z'))).toBe(0);
    }
    expect(daysOverdue('rectifying', null, at('2026-12-01T00:00:00.000Z'))).toBe(0);
  });

  it('counts open tickets in the office queue for no unit', () => {
    expect(holdingUnitCode({ status: 'rectifying', leadUnitCode: 'jiaojing' })).toBe('jiaojing');
    expect(holdingUnitCode({ status: 'reported', leadUnitCode: 'jiaojing' })).toBe('jiaojing');
    expect(holdingUnitCode({ status: 'returned', leadUnitCode: 'jiaojing' })).toBeNull();
    expect(holdingUnitCode({ status: 'reopened', leadUnitCode: null })).toBeNull();
  });

  it('judges a report on time against the deadline in force, inclusive; without a deadline it is never late', () => {
    expect(isOnTime('2026-11-10T02:00:00.000Z', '2026-11-10T02:00:00.000Z')).toBe(true);
    expect(isOnTime('2026-11-10T02:00:00.001Z', '2026-11-10T02:00:00.000Z')).toBe(false);
    expect(isOnTime('2030-01-01T00:00:00.000Z', null)).toBe(true);
  });

  it('makes one round per report with the verdict that follows it', () => {
    const events = [
      ev('2026-11-01T00:00:00.000Z', 'submit', 'received'),
      dispatch('2026-11-01T00:00:00.000Z', 'fagaiju', '2026-11-08T00:00:00.000Z'),
      ev('2026-11-02T00:00:00.000Z', 'accept', 'accepted'),
      ev('2026-11-03T00:00:00.000Z', 'reportRectification', 'reported', { text: '初步清理', photoIds: ['p1', 'p2', 7] }),
      ev('2026-11-04T00:00:00.000Z', 'sendBack', 'rectifying', {}, '仍有垃圾'),
      ev(
        '2026-11-05T00:00:00.000Z',
        'reassign',
        'dispatched',
        { leadUnitCode: 'zhujianju', deadlineAt: '2026-11-12T00:00:00.000Z' },
        '改派',
      ),
      ev('2026-11-06T00:00:00.000Z', 'accept', 'accepted'),
      ev('2026-11-13T00:00:00.000Z', 'reportRectification', 'reported', { text: '彻底清理' }),
      ev('2026-11-14T00:00:00.000Z', 'verify', 'closed', {}, '现场核实'),
      ev('2026-11-20T00:00:00.000Z', 'reopen', 'reopened', {}, '反弹'),
      dispatch('2026-11-20T01:00:00.000Z', 'fagaiju', '2026-11-27T01:00:00.000Z'),
      ev('2026-11-21T00:00:00.000Z', 'accept', 'accepted'),
      ev('2026-11-22T00:00:00.000Z', 'reportRectification', 'reported', { text: '再次清理', photoIds: [] }),
    ];
    const rounds = rectificationRounds(events, initialState('market'));
    expect(rounds.map((r) => [r.round, r.unitCode, r.deadlineAt, r.onTime, r.outcome, r.decidedAt, r.decisionReason])).toEqual([
      [1, 'fagaiju', '2026-11-08T00:00:00.000Z', true, 'sentBack', '2026-11-04T00:00:00.000Z', '仍有垃圾'],
      // Reassigned: the report is the new unit's, against the deadline its dispatch set.
      [2, 'zhujianju', '2026-11-12T00:00:00.000Z', false, 'verified', '2026-11-14T00:00:00.000Z', '现场核实'],
      [3, 'fagaiju', '2026-11-27T01:00:00.000Z', true, 'pending', null, null],
    ]);
    expect(rounds[0]).toMatchObject({ text: '初步清理', photoIds: ['p1', 'p2'], categoryCode: 'market.hygiene' });
    expect(rounds[1]!.photoIds).toEqual([]);
  });
});
