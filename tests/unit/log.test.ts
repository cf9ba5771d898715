// The server's log (issue 18 item 4): personal data masked and redacted, the ids of the work
// carried through async chains, repeated errors collapsed, incoming request ids checked.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configureLogging, flushLogs, log } from '../../server/observability/log.ts';
import { logContext, newLogId, requestIdFrom, withLogContext } from '../../server/observability/log-context.ts';
import { isSecretKey, maskLogFields, maskText } from '../../server/observability/log-mask.ts';
import { createRepeatCollapser, type RepeatableLine } from '../../server/observability/log-repeats.ts';
import { prettyLine } from '../../server/observability/log-pretty.ts';
import { expectConsoleError } from '../setup/fail-on-console-error.ts';

type Line = Record<string, unknown> & { level: string; msg: string };

/** The logger writing into a list, as a deployment's would write JSON lines. */
function capture(repeatWindowMs?: number): Line[] {
  const lines: Line[] = [];
  configureLogging({
    level: 'debug',
    output: { write: (l) => void lines.push(JSON.parse(l) as Line) },
    ...(repeatWindowMs && { repeatWindowMs }),
  });
  return lines;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('masking', () => {
  it('masks mobile numbers however they are written', () => {
    expect(maskText('call 13812345678 now')).toBe('call 138****5678 now');
    expect(maskText('电话13812345678联系')).toBe('电话138****5678联系');
    expect(maskText('138 1234 5678 / 138-1234-5678 / +86 138 1234 5678')).toBe('138****5678 / 138****5678 / 138****5678');
    expect(maskText('phone13912345678')).toBe('phone139****5678');
  });

  it('masks landlines and other runs of seven or more digits, and leaves short numbers', () => {
    expect(maskText('0319-5551234')).toBe('0319-****1234');
    expect(maskText('id 130102199003071234')).toBe('id 130****1234');
    expect(maskText('ticket 42 at 2026-12-08T03:57:44.000Z, 123456 bytes')).toBe('ticket 42 at 2026-12-08T03:57:44.000Z, 123456 bytes');
  });

  it('leaves the time stamps that begin build and backup ids whole, and still masks digits around them', () => {
    expect(maskText('build 20261208-054624-160-1e0d live')).toBe('build 20261208-054624-160-1e0d live');
    expect(maskText('backup 20261208T054624Z taken')).toBe('backup 20261208T054624Z taken');
    expect(maskText('20261208-1234567')).toBe('****1208-****4567');
    expect(maskText('2026120813812345678')).toBe('202****5678');
  });

  it('masks e-mail addresses', () => {
    expect(maskText('From: zhang.san@example.com, li@mail.lincheng.gov.cn')).toBe('From: z***@example.com, l***@mail.lincheng.gov.cn');
  });

  it('redacts the fields that name personal data or secrets, at any depth', () => {
    for (const key of [
      'password',
      'sessionToken',
      'cookie',
      'set-cookie',
      'authorization',
      'description',
      'displayName',
      'callerPhone',
      'email',
      'address',
      'trackingCode',
      'totp_secret',
      'ip',
    ])
      expect(isSecretKey(key), key).toBe(true);
    for (const key of ['status', 'method', 'path', 'ms', 'job', 'count']) expect(isSecretKey(key), key).toBe(false);
    expect(
      maskLogFields({
        status: 200,
        input: { report: { description: '楼道堆满杂物', reporter: { name: '王大爷', phone: '13812345678' } }, note: 'ring 13812345678' },
        headers: { Cookie: 'portal_session=abc', accept: 'text/html' },
      }),
    ).toEqual({
      status: 200,
      input: { report: { description: '[redacted]', reporter: { name: '[redacted]', phone: '[redacted]' } }, note: 'ring 138****5678' },
      headers: { Cookie: '[redacted]', accept: 'text/html' },
    });
  });

  it('logs an error with its message and stack, masked, and its cause', () => {
    const lines = capture();
    expectConsoleError(1);
    const error = new Error('no reporter for 13812345678', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    log.error('lookup failed for zhang@example.com', error, { phone: '13812345678' });
    const [line] = lines;
    expect(line).toMatchObject({ level: 'error', msg: 'lookup failed for z***@example.com', phone: '[redacted]' });
    const err = line!['err'] as { type: string; message: string; stack: string; cause: { code: string } };
    expect(err.type).toBe('Error');
    expect(err.message).toBe('no reporter for 138****5678');
    expect(err.stack).toContain('no reporter for 138****5678');
    expect(err.stack).toContain('log.test.ts');
    expect(err.cause.code).toBe('ECONNREFUSED');
    expect(JSON.stringify(lines)).not.toMatch(/1[3-9]\d{9}|zhang@/);
  });
});

describe('the ids of the work', () => {
  it('follows a request through awaits, timers and callbacks, and no further', async () => {
    const lines = capture();
    const deeper = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await Promise.resolve();
      log.info('in the repository');
    };
    await Promise.all([
      withLogContext({ reqId: 'req-a' }, deeper),
      withLogContext({ reqId: 'req-b' }, async () => {
        await deeper();
        await new Promise<void>((resolve) => setImmediate(() => (log.info('in a callback'), resolve())));
      }),
    ]);
    log.info('outside');
    expect(lines.map((l) => [l.msg, l['reqId']])).toEqual([
      ['in the repository', 'req-a'],
      ['in the repository', 'req-b'],
      ['in a callback', 'req-b'],
      ['outside', undefined],
    ]);
  });

  it('nests: a job run within a pass carries both', () => {
    withLogContext({ pass: 'p1' }, () =>
      withLogContext({ job: 'mail', runId: 'r1' }, () => expect(logContext()).toEqual({ pass: 'p1', job: 'mail', runId: 'r1' })),
    );
    expect(logContext()).toEqual({});
  });

  it('keeps the ids as they are: a proxy id full of digits is not masked', () => {
    const lines = capture();
    withLogContext({ reqId: '5f0c1234567e9a' }, () => log.info('x'));
    expect(lines[0]!['reqId']).toBe('5f0c1234567e9a');
  });

  it('takes a sane X-Request-Id from our own proxy only, else makes one', () => {
    expect(requestIdFrom('abc-123_XYZ', 1)).toBe('abc-123_XYZ');
    expect(requestIdFrom(['from-proxy', 'other'], 1)).toBe('from-proxy');
    const made = requestIdFrom(undefined, 1);
    expect(made).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(requestIdFrom(undefined, 1)).not.toBe(made);
    for (const bad of ['', 'has space', 'a'.repeat(65), 'semi;colon', '13812345678\n{"level":"info"}', 'ü']) {
      expect(requestIdFrom(bad, 1), bad).not.toBe(bad);
      expect(requestIdFrom(bad, 1)).toMatch(/^[A-Za-z0-9_-]{12}$/);
    }
    // Without a proxy of ours, the client talks to us directly: its header is not taken.
    expect(requestIdFrom('abc-123', 0)).not.toBe('abc-123');
    expect(newLogId()).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });
});

describe('repeated errors', () => {
  it('writes the first, counts the rest of the window, then says how many', () => {
    vi.useFakeTimers();
    const said: Array<[RepeatableLine, number]> = [];
    const repeats = createRepeatCollapser({ windowMs: 60_000, repeated: (line, count) => said.push([line, count]) });
    const line: RepeatableLine = { level: 'error', message: 'db away', error: 'ECONNREFUSED' };
    expect(repeats.admit(line)).toBe(true);
    expect(repeats.admit({ ...line })).toBe(false);
    expect(repeats.admit({ ...line })).toBe(false);
    // A different error message or level is a line of its own.
    expect(repeats.admit({ ...line, error: 'timeout' })).toBe(true);
    expect(repeats.admit({ ...line, level: 'warn' })).toBe(true);
    vi.advanceTimersByTime(59_999);
    expect(said).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(said).toEqual([[line, 2]]);
    // The window is over: the next one is written again.
    expect(repeats.admit({ ...line })).toBe(true);
    expect(repeats.admit({ ...line })).toBe(false);
    repeats.flush();
    expect(said).toEqual([
      [line, 2],
      [line, 1],
    ]);
  });

  it('in the log: one line, then one line with the count, flushed at shutdown', () => {
    vi.useFakeTimers();
    const lines = capture(60_000);
    expectConsoleError(2);
    for (let i = 0; i < 5; i++) log.error('[db] query failed', new Error('connection lost'));
    log.info('a request');
    log.info('a request');
    expect(lines.map((l) => l.msg)).toEqual(['[db] query failed', 'a request', 'a request']);
    flushLogs();
    expect(lines.at(-1)).toMatchObject({
      level: 'error',
      msg: '[db] query failed (repeated 4 more times)',
      repeated: 4,
      error: 'connection lost',
    });
  });

  it("unref's its timer: a window open keeps no process alive", () => {
    const repeats = createRepeatCollapser({ windowMs: 60_000, repeated: () => {} });
    const setTimer = vi.spyOn(globalThis, 'setTimeout');
    repeats.admit({ level: 'warn', message: 'x' });
    const timer = setTimer.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    repeats.flush();
    setTimer.mockRestore();
  });
});

describe('levels', () => {
  it('writes nothing below LOG_LEVEL', () => {
    const lines: Line[] = [];
    configureLogging({ level: 'warn', output: { write: (l) => void lines.push(JSON.parse(l) as Line) } });
    log.debug('d');
    log.info('i');
    log.warn('w');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([['warn', 'w']]);
  });
});

describe('on a terminal', () => {
  it('prints one short line: time, level, message, fields, and the stack below', () => {
    const json = JSON.stringify({
      level: 'error',
      time: '2026-12-08T04:02:11.532Z',
      pid: 1,
      hostname: 'h',
      reqId: 'abc',
      procedure: 'report.track',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x.ts:1:1' },
      msg: '[trpc] report.track failed',
    });
    expect(prettyLine(json)).toBe(
      '04:02:11.532 ERROR [trpc] report.track failed  reqId=abc procedure=report.track\n    Error: boom\n        at x.ts:1:1\n',
    );
    expect(prettyLine('not json\n')).toBe('not json\n');
  });
});
