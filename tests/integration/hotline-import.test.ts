// `npm run hotline:import` (issue 5, item 6) on SQLite and PostgreSQL: a phone system's CSV of
// calls becomes tickets, "+1"s, consultations and referrals through the hotline service; bad rows
// are reported with the column at fault and do not stop the import; a GBK export with Chinese
// column names (tests/fixtures/hotline/calls-gbk.csv, written by Python's gbk codec with CRLF
// line ends, as Excel on Chinese Windows saves it) reads the same; importing a file again records
// nothing twice. The command itself is run once for its output and exit codes.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCsv } from '../../server/hotline/call-csv.ts';
import { importCallCsv, importCallFiles, type CallImportLine } from '../../server/hotline/call-import.ts';
import { parseCallTime } from '../../server/hotline/call-row.ts';
import { databaseKinds } from '../support/databases.ts';
import { CONTENT_DIR, startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaffUser } from '../support/staff-accounts.ts';

const kinds = await databaseKinds();
const ROOT = path.resolve(import.meta.dirname, '../..');
const GBK_FIXTURE = path.join(ROOT, 'tests/fixtures/hotline/calls-gbk.csv');
const run = promisify(execFile);

const HEADER =
  'call_id,started_at,caller_number,caller_name,anonymous,callback,outcome,description,category,point,address,answer,referred_to,attach_to,operator';

/** A UTF-8 export with a BOM and CRLF line ends; `attachTo` is the tracking code of an existing ticket. */
function utf8Export(prefix: string, attachTo: string): Buffer {
  const rows = [
    HEADER,
    `${prefix}01,2026-11-30 09:15:00,138-0319-1001,张三,否,是,ticket,西关集贸市场门口垃圾堆了好几天没人清理,market.hygiene,market-xiguan,,,,,话务员小刘`,
    `${prefix}02,2026-11-30T01:20:00Z,13803191002,,0,1,attached,又一位市民反映西关市场门口的垃圾,,,,,,${attachTo.toLowerCase()},话务员小刘`,
    `${prefix}03,2026-11-30 09:30,13803191003,王五,false,false,已答复,咨询门前五包责任书到哪里签,,,,到所在社区居委会签订,,,话务员小刘`,
    `${prefix}04,2026-11-30 09:40:00+08:00,13803191004,,true,false,referred,建设路上有燃气泄漏的味道,,,,,119,,话务员小刘`,
    `${prefix}05,2026-11-30 09:50:00,13803191005,,否,是,ticket,,,,,,,,话务员小刘`,
    `${prefix}06,2026-13-01 10:00:00,13803191006,,否,是,ticket,东环路人行道上的井盖丢了很危险,,,,,,,话务员小刘`,
    `${prefix}07,2026-11-30 10:10:00,13803191007,,否,是,ticket,锦绣小区楼道里堆满了杂物,不存在的类别,,,,,,话务员小刘`,
    `${prefix}08,2026-11-30 10:20:00,13803191008,,否,是,attached,还是那个问题没有解决,,,,,,ZZZ-ZZZ-ZZZ,话务员小刘`,
    `${prefix}09,2026-11-30 10:30:00,13x-abc,,否,是,ticket,文化路上的路灯不亮了好几个,,,,,,,话务员小刘`,
    // A quoted cell with a comma and a line break, as the phone system writes a long note.
    `${prefix}10,2026-11-30 10:40:00,13803191010,赵四,否,是,新建工单,"东关农贸市场南门，早上
摊位占道，推车过不去",backstreet.occupation,,东关街南段,,,,话务员小刘`,
    ',,,,,,,,,,,,,,',
  ];
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${rows.join('\r\n')}\r\n`, 'utf8')]);
}

describe('reading a call export', () => {
  it('reads times as China time unless a zone is written', () => {
    expect(parseCallTime('2026-11-30 09:15:00')?.toISOString()).toBe('2026-11-30T01:15:00.000Z');
    expect(parseCallTime('2026/11/30 9:15')?.toISOString()).toBe('2026-11-30T01:15:00.000Z');
    expect(parseCallTime('2026年11月30日 09:15')?.toISOString()).toBe('2026-11-30T01:15:00.000Z');
    expect(parseCallTime('2026-11-30T01:15:00Z')?.toISOString()).toBe('2026-11-30T01:15:00.000Z');
    expect(parseCallTime('2026-11-30T09:15:00+08:00')?.toISOString()).toBe('2026-11-30T01:15:00.000Z');
    for (const bad of ['2026-13-01 10:00', '2026-02-30 10:00', '2026-11-30', '30/11/2026 10:00', '2026-11-30 24:00', 'yesterday']) {
      expect(parseCallTime(bad), bad).toBeNull();
    }
  });

  it('tells UTF-8 (with or without a BOM) from GB18030', () => {
    expect(decodeCsv(Buffer.from('\uFEFF通话编号', 'utf8'))).toEqual({ text: '通话编号', encoding: 'utf-8' });
    expect(decodeCsv(Buffer.from('通话编号', 'utf8'))).toEqual({ text: '通话编号', encoding: 'utf-8' });
    const gbk = decodeCsv(fs.readFileSync(GBK_FIXTURE));
    expect(gbk.encoding).toBe('gb18030');
    expect(gbk.text.startsWith('通话编号,来电时间,来电号码')).toBe(true);
  });
});

describe.each(kinds)('hotline:import on %s', (kind) => {
  let t: TestPortal;
  let target: string;
  const deps = () => ({ hotline: t.portal.services.hotline, catalog: t.portal.services.catalog });
  const count = async (table: 'calls' | 'tickets') =>
    Number(
      (
        await t.portal.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await startTestPortal(kind);
    const made = await t.caller().report.submit({ description: '西关集贸市场门口的垃圾桶满了溢出来', pointId: 'market-xiguan' });
    target = made.trackingCode;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('imports good rows of every outcome and reports each bad row with its column, without stopping', async () => {
    const lines: CallImportLine[] = [];
    const result = await importCallCsv(deps(), utf8Export('U', target), 'calls.csv', (l) => lines.push(l));
    expect(result.encoding).toBe('utf-8');
    expect(result.counts).toEqual({ created: 2, attached: 1, answered: 1, referred: 1, duplicate: 0, error: 5 });
    const brief = lines.map((l) => [l.line, l.callId, l.outcome]);
    expect(brief).toEqual([
      [2, 'U01', 'created'],
      [3, 'U02', 'attached'],
      [4, 'U03', 'answered'],
      [5, 'U04', 'referred'],
      [6, 'U05', 'error'],
      [7, 'U06', 'error'],
      [8, 'U07', 'error'],
      [9, 'U08', 'error'],
      [10, 'U09', 'error'],
      [11, 'U10', 'created'],
    ]);
    const errorOf = (id: string) => lines.find((l) => l.callId === id)!.error;
    expect(errorOf('U05')).toMatch(/^description: 请记录来电内容/);
    expect(errorOf('U06')).toMatch(/^started_at: 无法识别的来电时间“2026-13-01 10:00:00”/);
    expect(errorOf('U07')).toMatch(/^category: 未知的问题类别“不存在的类别”/);
    expect(errorOf('U08')).toMatch(/^attach_to: 没有找到这个查询码的工单/);
    expect(errorOf('U09')).toMatch(/^caller_number: 来电号码应为数字/);
    expect(lines[1]!.trackingCode).toBe(target);
    for (const l of lines.filter((l) => l.outcome === 'created')) expect(l.trackingCode).toMatch(/^[A-Z0-9]{3}-[A-Z0-9]{3}-[A-Z0-9]{3}$/);

    const db = t.portal.database.db;
    const calls = await db
      .selectFrom('calls')
      .leftJoin('tickets', 'tickets.id', 'calls.ticket_id')
      .select([
        'calls.external_id',
        'calls.at',
        'calls.outcome',
        'calls.source',
        'calls.caller_phone',
        'calls.caller_name',
        'calls.anonymous',
        'calls.wants_callback',
        'calls.operator_id',
        'calls.operator_name',
        'calls.answer',
        'calls.referred_to',
        'calls.category_code',
        'calls.summary',
        'tickets.tracking_code',
      ])
      .orderBy('calls.external_id')
      .execute();
    expect(calls.map((c) => c.external_id)).toEqual(['U01', 'U02', 'U03', 'U04', 'U10']);
    const [u01, u02, u03, u04, u10] = calls;
    expect(u01).toMatchObject({
      at: '2026-11-30T01:15:00.000Z',
      outcome: 'ticket',
      source: 'import',
      caller_phone: '13803191001',
      caller_name: '张三',
      wants_callback: 1,
      operator_id: null,
      operator_name: '话务员小刘',
      category_code: 'market.hygiene',
      tracking_code: lines[0]!.trackingCode,
    });
    expect(u02).toMatchObject({ at: '2026-11-30T01:20:00.000Z', outcome: 'attached', tracking_code: target });
    expect(u03).toMatchObject({ at: '2026-11-30T01:30:00.000Z', outcome: 'answered', answer: '到所在社区居委会签订', tracking_code: null });
    expect(u04).toMatchObject({ outcome: 'referred', referred_to: '119 火警', anonymous: 1, caller_name: null });
    expect(u10).toMatchObject({ category_code: 'backstreet.occupation', summary: '东关农贸市场南门，早上\n摊位占道，推车过不去' });

    // The new ticket went through the intake like any hotline report.
    const ticket = await db
      .selectFrom('tickets')
      .innerJoin('ticket_reporters', 'ticket_reporters.ticket_id', 'tickets.id')
      .select(['tickets.channel', 'tickets.point_id', 'tickets.lead_unit_code', 'ticket_reporters.phone', 'ticket_reporters.name'])
      .where('tracking_code', '=', lines[0]!.trackingCode!)
      .executeTakeFirstOrThrow();
    expect(ticket).toEqual({
      channel: 'hotline',
      point_id: 'market-xiguan',
      lead_unit_code: 'fagaiju',
      phone: '13803191001',
      name: '张三',
    });
    const submitted = await db
      .selectFrom('ticket_events')
      .innerJoin('tickets', 'tickets.id', 'ticket_events.ticket_id')
      .select(['actor_kind', 'actor_id'])
      .where('tracking_code', '=', lines[0]!.trackingCode!)
      .where('action', '=', 'submit')
      .executeTakeFirstOrThrow();
    expect(submitted).toEqual({ actor_kind: 'operator', actor_id: 'hotline-import' });
  });

  it('records nothing twice when the same file is imported again', async () => {
    const [callsBefore, ticketsBefore] = [await count('calls'), await count('tickets')];
    const lines: CallImportLine[] = [];
    const again = await importCallCsv(deps(), utf8Export('U', target), 'calls.csv', (l) => lines.push(l));
    expect(again.counts).toEqual({ created: 0, attached: 0, answered: 0, referred: 0, duplicate: 5, error: 5 });
    expect(lines.find((l) => l.callId === 'U01')).toMatchObject({ outcome: 'duplicate', trackingCode: expect.any(String) });
    expect(lines.find((l) => l.callId === 'U02')).toMatchObject({ outcome: 'duplicate', trackingCode: target });
    expect([await count('calls'), await count('tickets')]).toEqual([callsBefore, ticketsBefore]);
  });

  it('reads a GBK export with Chinese column names and values', async () => {
    const operator = await createStaffUser(t, { username: 'wangfang', displayName: '王芳', role: 'operator' });
    const lines: CallImportLine[] = [];
    const [file] = await importCallFiles(deps(), [GBK_FIXTURE], (l) => lines.push(l));
    expect(file).toMatchObject({ encoding: 'gb18030', ignoredColumns: [] });
    expect(lines.map((l) => [l.line, l.callId, l.outcome])).toEqual([
      [2, 'G001', 'created'],
      [3, 'G002', 'answered'],
      [4, 'G003', 'referred'],
      [5, 'G004', 'error'],
    ]);
    expect(lines[3]!.error).toMatch(/^outcome: 未知的处理方式“投诉”/);
    const calls = await t.portal.database.db
      .selectFrom('calls')
      .select([
        'external_id',
        'at',
        'caller_phone',
        'caller_name',
        'anonymous',
        'wants_callback',
        'category_code',
        'operator_id',
        'referred_to',
      ])
      .where('external_id', 'in', ['G001', 'G002', 'G003'])
      .orderBy('external_id')
      .execute();
    expect(calls).toEqual([
      {
        external_id: 'G001',
        at: '2026-11-29T08:40:00.000Z',
        caller_phone: '13912345678',
        caller_name: '李四',
        anonymous: 0,
        wants_callback: 1,
        category_code: 'market.order',
        operator_id: operator.id,
        referred_to: null,
      },
      {
        external_id: 'G002',
        at: '2026-11-29T09:05:00.000Z',
        caller_phone: '03195551234',
        caller_name: null,
        anonymous: 1,
        wants_callback: 0,
        category_code: 'volunteer.join',
        operator_id: operator.id,
        referred_to: null,
      },
      {
        external_id: 'G003',
        at: '2026-11-29T10:20:00.000Z',
        // The PBX's trunk "0" before a mobile number is dropped.
        caller_phone: '13712345678',
        caller_name: '赵六',
        anonymous: 0,
        wants_callback: 0,
        category_code: null,
        operator_id: operator.id,
        referred_to: '120 急救',
      },
    ]);
    const ticket = await t.portal.database.db
      .selectFrom('tickets')
      .select(['point_id', 'category_code', 'description'])
      .where('tracking_code', '=', lines[0]!.trackingCode!)
      .executeTakeFirstOrThrow();
    expect(ticket).toEqual({
      point_id: 'market-dongguan',
      category_code: 'market.order',
      description: '东关农贸市场里摊位占了通道，推车过不去',
    });

    const again = await importCallFiles(deps(), [GBK_FIXTURE]);
    expect(again[0]!.counts).toMatchObject({ created: 0, answered: 0, referred: 0, duplicate: 3, error: 1 });
  });

  it('reports a file that is no call export, and a missing file, and goes on with the next', async () => {
    const dir = t.database.dataDir;
    fs.writeFileSync(path.join(dir, 'wrong.csv'), '姓名,电话\n张三,13800000000\n');
    fs.writeFileSync(
      path.join(dir, 'tab.tsv'),
      `通话编号\t来电时间\t来电内容\tsomething\nT001\t2026-11-30 11:00\t咨询创城测评什么时候开始\tx\n`,
    );
    const files = await importCallFiles(deps(), [path.join(dir, 'wrong.csv'), path.join(dir, 'missing.csv'), path.join(dir, 'tab.tsv')]);
    expect(files[0]!.error).toMatch(/缺少必需的列：call_id（通话编号）、started_at（来电时间）、description（来电内容）/);
    expect(files[1]!.error).toMatch(/无法读取文件/);
    // No outcome column: a row without a ticket code, answer or referral is a new ticket.
    expect(files[2]!.error).toBeUndefined();
    expect(files[2]).toMatchObject({ ignoredColumns: ['something'], counts: { created: 1 } });
  });
});

describe.runIf(kinds.includes('sqlite'))('npm run hotline:import', () => {
  let t: TestPortal;
  beforeAll(async () => {
    t = await startTestPortal('sqlite');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('prints a JSON line per row and a summary; exit 0 with bad rows, 2 without a file', { timeout: 60_000 }, async () => {
    const env = {
      ...process.env,
      DATABASE_URL: t.database.url,
      DATA_DIR: t.database.dataDir,
      ...(t.database.dataKey && { DATA_KEY: t.database.dataKey }),
      CONTENT_DIR,
    };
    const script = path.join(ROOT, 'scripts/hotline-import.ts');
    const usage = await run(process.execPath, [script], { env }).catch((e: { code: number; stderr: string }) => e);
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: npm run hotline:import') });

    const { stdout, stderr } = await run(process.execPath, [script, '--', GBK_FIXTURE], { env });
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as CallImportLine);
    expect(lines.map((l) => l.outcome)).toEqual(['created', 'answered', 'referred', 'error']);
    expect(stderr).toContain('(gb18030): 4 rows — created 1, attached 0, answered 1, referred 1, duplicate 0, error 1');
  });
});
