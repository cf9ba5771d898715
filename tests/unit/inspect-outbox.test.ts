// The inspector's outbox (ADR 012): one idempotency key per item, made when it is first answered
// and kept while the answer changes on the device; photos uploaded first and once; no answer
// stops the run and keeps everything waiting; a refusal is kept with its message and the run goes
// on; the retry delay backs off. The sender is driven with a stand-in for the network that
// behaves as the server does: one record per key.
import { describe, expect, it } from 'vitest';
import type { RoundSheet } from '../../server/inspection/inspection-types.ts';
import {
  answerItem,
  answerRecheck,
  missingBeforeSend,
  photosToSend,
  pointProgress,
  retryDelaySeconds,
  withRecorded,
  type OutboxEntry,
  type OutboxPhoto,
  type SentResult,
} from '../../src/components/inspect/outbox.ts';
import { sendOutbox, type CallOutcome, type SenderDeps } from '../../src/components/inspect/outbox-sender.ts';

const at = { roundId: 7, pointId: 'P-001', itemCode: 'clean' };
let keys = 0;
const newKey = () => `key-${++keys}`;

describe('answering an item', () => {
  it('makes a key on the first answer and keeps it while the answer changes before it is sent', () => {
    keys = 0;
    const pass = answerItem(undefined, at, 'pass', '2026-12-07T09:00:00.000Z', newKey);
    expect(pass).toMatchObject({ id: 'item:7:P-001:clean', verdict: 'pass', state: 'waiting', idempotencyKey: 'key-1' });
    const fail = answerItem(pass, at, 'fail', '2026-12-07T09:01:00.000Z', newKey);
    expect(fail).toMatchObject({ verdict: 'fail', state: 'draft', idempotencyKey: 'key-1', observedAt: '2026-12-07T09:01:00.000Z' });
  });

  it('takes a new key for an answer the server refused, since the server has decided about the old one', () => {
    keys = 0;
    const refused: OutboxEntry = {
      ...answerItem(undefined, at, 'pass', '2026-12-07T09:00:00.000Z', newKey),
      state: 'refused',
      message: '本轮督导已结束',
    };
    const again = answerItem(refused as Extract<OutboxEntry, { kind: 'item' }>, at, 'pass', '2026-12-07T09:05:00.000Z', newKey);
    expect(again).toMatchObject({ state: 'waiting', message: '', idempotencyKey: 'key-2' });
  });

  it('asks a re-check for a photo when fixed and for the reason when not fixed', () => {
    const where = { roundId: 7, pointId: 'P-001', ticketId: 31 };
    const fixed = answerRecheck(undefined, where, 'fixed', '2026-12-07T09:00:00.000Z', newKey);
    expect(fixed.state).toBe('draft');
    expect(missingBeforeSend(fixed)).toBe('确认已整改需要拍一张整改后的照片。');
    expect(missingBeforeSend({ ...fixed, photos: [photo('a')] })).toBeNull();
    const notFixed = answerRecheck(fixed, where, 'not_fixed', '2026-12-07T09:01:00.000Z', newKey);
    expect(missingBeforeSend(notFixed)).toBe('请写明未整改的情况（原因），再确认。');
    expect(missingBeforeSend({ ...notFixed, note: '摊位仍占道' })).toBeNull();
  });
});

function photo(key: string): OutboxPhoto {
  return { key, name: `${key}.jpg`, blob: new Blob(['x'], { type: 'image/jpeg' }), id: null, thumbUrl: null };
}

/** The network as the server behaves: photos get ids; a record is kept once per key; `down` answers nothing. */
function network() {
  const state = {
    down: false,
    uploads: [] as string[],
    records: new Map<string, SentResult>(),
    refuse: new Map<string, string>(),
    saved: new Map<string, OutboxEntry>(),
    sent: [] as string[],
  };
  const later = { kind: 'later', message: '网络连接失败', signedOut: false } as const;
  const deps: SenderDeps = {
    newKey,
    upload: async (p): Promise<CallOutcome<{ id: string; thumbUrl: string }>> => {
      if (state.down) return later;
      state.uploads.push(p.key);
      return { kind: 'ok', value: { id: `photo-${p.key}`, thumbUrl: `/media/${p.key}` } };
    },
    record: async (e): Promise<CallOutcome<SentResult>> => {
      if (state.down) return later;
      const refusal = state.refuse.get(e.id);
      if (refusal) return { kind: 'refused', message: refusal };
      const earlier = state.records.get(e.idempotencyKey);
      if (earlier) return { kind: 'ok', value: earlier };
      const result: SentResult =
        e.kind === 'item'
          ? { kind: 'item', verdict: e.verdict, trackingCode: e.verdict === 'fail' ? `T-${e.itemCode}` : null }
          : { kind: 'recheck', verdict: e.verdict };
      state.records.set(e.idempotencyKey, result);
      return { kind: 'ok', value: result };
    },
    save: async (e) => void state.saved.set(e.id, e),
    sent: async (e) => void state.sent.push(e.id),
  };
  return { state, deps };
}

describe('sending the outbox', () => {
  it('uploads the photos first, keeps their ids, and never uploads a photo twice', async () => {
    keys = 0;
    const { state, deps } = network();
    const fail = {
      ...answerItem(undefined, at, 'fail', '2026-12-07T09:00:00.000Z', newKey),
      state: 'waiting' as const,
      photos: [photo('a'), photo('b')],
    };
    // The photos go up, then the signal drops before the record.
    let uploads = 0;
    const flaky: SenderDeps = { ...deps, upload: async (p) => (++uploads > 1 ? ((state.down = true), deps.upload(p)) : deps.upload(p)) };
    const first = await sendOutbox([fail], flaky);
    expect(first).toEqual({ sent: 0, refused: 0, stopped: { message: '网络连接失败', signedOut: false } });
    const kept = state.saved.get(fail.id)!;
    expect(kept.photos.map((p) => [p.id, p.blob === null])).toEqual([
      ['photo-a', true],
      [null, false],
    ]);
    state.down = false;
    const second = await sendOutbox([kept], deps);
    expect(second).toEqual({ sent: 1, refused: 0, stopped: null });
    expect(state.uploads).toEqual(['a', 'b']);
    expect(state.sent).toEqual([fail.id]);
  });

  it('sends an entry sent before (its answer lost) under the same key, so it is recorded once', async () => {
    keys = 0;
    const { state, deps } = network();
    const pass = answerItem(undefined, at, 'pass', '2026-12-07T09:00:00.000Z', newKey);
    await sendOutbox([pass], deps);
    await sendOutbox([pass], deps);
    expect([...state.records.keys()]).toEqual(['key-1']);
    expect(state.sent).toEqual([pass.id, pass.id]);
  });

  it('sends a changed answer again under a new key when the server still holds the old one', async () => {
    keys = 0;
    const { state, deps } = network();
    const pass = answerItem(undefined, at, 'pass', '2026-12-07T09:00:00.000Z', newKey);
    await sendOutbox([pass], deps);
    const fail = { ...answerItem(pass, at, 'fail', '2026-12-07T09:02:00.000Z', newKey), state: 'waiting' as const };
    expect(fail.idempotencyKey).toBe('key-1');
    const run = await sendOutbox([fail], deps);
    expect(run.sent).toBe(1);
    expect(state.records.get('key-2')).toEqual({ kind: 'item', verdict: 'fail', trackingCode: 'T-clean' });
  });

  it('keeps a refused entry with the server’s message and goes on with the next, in the order answered', async () => {
    keys = 0;
    const { state, deps } = network();
    const second = answerItem(undefined, { ...at, itemCode: 'stalls' }, 'pass', '2026-12-07T09:02:00.000Z', newKey);
    const first = answerItem(undefined, at, 'pass', '2026-12-07T09:01:00.000Z', newKey);
    state.refuse.set(first.id, '这一项已判为不合格并生成工单，不能改为合格');
    const run = await sendOutbox([second, first], deps);
    expect(run).toEqual({ sent: 1, refused: 1, stopped: null });
    expect(state.saved.get(first.id)).toMatchObject({ state: 'refused', message: '这一项已判为不合格并生成工单，不能改为合格' });
    expect(state.sent).toEqual([second.id]);
  });

  it('sends no photos with a passed item (kept on the phone in case it is failed again)', async () => {
    keys = 0;
    const { state, deps } = network();
    const failed = answerItem(undefined, at, 'fail', '2026-12-07T09:00:00.000Z', newKey);
    const passed = { ...answerItem({ ...failed, photos: [photo('a')] }, at, 'pass', '2026-12-07T09:01:00.000Z', newKey) };
    expect(passed.photos).toHaveLength(1);
    expect(photosToSend(passed)).toEqual([]);
    expect(await sendOutbox([passed], deps)).toEqual({ sent: 1, refused: 0, stopped: null });
    expect(state.uploads).toEqual([]);
  });

  it('sends neither drafts nor refused entries', async () => {
    keys = 0;
    const { state, deps } = network();
    const draft = answerItem(undefined, at, 'fail', '2026-12-07T09:00:00.000Z', newKey);
    const refused = {
      ...answerItem(undefined, { ...at, itemCode: 'x' }, 'pass', '2026-12-07T09:00:00.000Z', newKey),
      state: 'refused' as const,
    };
    expect(await sendOutbox([draft, refused], deps)).toEqual({ sent: 0, refused: 0, stopped: null });
    expect(state.records.size).toBe(0);
  });

  it('waits 5 s after the first failure, doubling to at most 5 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(retryDelaySeconds)).toEqual([5, 10, 20, 40, 80, 160, 300, 300, 300]);
  });
});

describe('the sheet on the device', () => {
  const sheet: RoundSheet = {
    round: {
      id: 7,
      name: '第49周督导',
      startsOn: '2026-12-07',
      endsOn: '2026-12-11',
      status: 'open',
      pointCount: 1,
      pointsDone: 0,
      failedItems: 0,
      rechecks: 1,
      rechecksDone: 0,
      inspectors: [],
      bulletinPublishedAt: null,
    },
    points: [
      {
        pointId: 'P-001',
        position: 1,
        name: '城关农贸市场',
        typeName: '农贸市场',
        address: '建设路1号',
        unitName: '市场监管局',
        lat: null,
        lng: null,
        items: [
          { code: 'clean', standard: '地面无积存垃圾', categoryName: '环境卫生', recorded: null },
          { code: 'stalls', standard: '无占道经营', categoryName: '市容秩序', recorded: null },
        ],
        rechecks: [
          { ticketId: 31, trackingCode: 'T31', summary: '垃圾', standard: null, statusLabel: '已办结', unitName: null, recorded: null },
        ],
        openProblems: [],
      },
    ],
  };

  it('records a sent result in the device’s copy and counts answers on the server and on the device', () => {
    keys = 0;
    const fail = { ...answerItem(undefined, at, 'fail', '2026-12-07T09:00:00.000Z', newKey), note: ' 地面有污水 ' };
    const after = withRecorded(sheet, fail, { kind: 'item', verdict: 'fail', trackingCode: 'T-9' });
    expect(after.points[0]!.items[0]!.recorded).toEqual({ verdict: 'fail', note: '地面有污水', trackingCode: 'T-9' });
    const recheck = answerRecheck(undefined, { roundId: 7, pointId: 'P-001', ticketId: 31 }, 'fixed', '2026-12-07T09:00:00.000Z', newKey);
    expect(pointProgress(after.points[0]!, new Map([[recheck.id, recheck]]), 7)).toEqual({ done: 2, total: 3 });
    expect(pointProgress(sheet.points[0]!, new Map(), 7)).toEqual({ done: 0, total: 3 });
  });
});
