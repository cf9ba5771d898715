// Synthetic tickets for `npm run bench -- scale` (bench/scale.ts): a county's (or a city's)
// history of N tickets over two years, each with its reporter, its events as the real commands
// write them (submit, dispatch, accept, startRectification, reportRectification, sendBack,
// verify, reject, merge, supervise …) and its photos as rows. Written straight through the
// drivers (pg multi-row `unnest` inserts, node:sqlite prepared statements in big transactions):
// seeding is the benchmark's set-up, not what it measures, and a million tickets through the
// commands would take hours. The rows follow the schema the migrations made.
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import type { Catalog } from '../server/catalog/types.ts';
import { generateTrackingCode } from '../server/tickets/tracking-code.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const SPAN_DAYS = 730;
const BATCH = 5_000;

/** A small deterministic generator, so two runs seed the same data. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Column = { name: string; type: 'int' | 'text' | 'float8' };
interface Table {
  name: string;
  columns: Column[];
  rows: unknown[][];
}

const TICKET_COLUMNS: Column[] = [
  ['id', 'int'],
  ['tracking_code', 'text'],
  ['status', 'text'],
  ['channel', 'text'],
  ['description', 'text'],
  ['category_code', 'text'],
  ['suggested_category_code', 'text'],
  ['suggested_unit_code', 'text'],
  ['routing_confidence', 'float8'],
  ['lead_unit_code', 'text'],
  ['cooperating_unit_codes', 'text'],
  ['point_id', 'text'],
  ['location_address', 'text'],
  ['deadline_at', 'text'],
  ['created_at', 'text'],
  ['updated_at', 'text'],
  ['closed_at', 'text'],
  ['version', 'int'],
  ['dispatched_at', 'text'],
  ['acknowledge_due_at', 'text'],
  ['acknowledged_at', 'text'],
  ['source', 'text'],
  ['supervised_at', 'text'],
  ['supervised_by', 'int'],
  ['supervision_instruction', 'text'],
  ['report_count', 'int'],
].map(([name, type]) => ({ name, type }) as Column);

const REPORTER_COLUMNS: Column[] = [
  { name: 'ticket_id', type: 'int' },
  { name: 'anonymous', type: 'int' },
  { name: 'name', type: 'text' },
  { name: 'phone', type: 'text' },
  { name: 'ip', type: 'text' },
];

const EVENT_COLUMNS: Column[] = [
  ['id', 'int'],
  ['ticket_id', 'int'],
  ['seq', 'int'],
  ['at', 'text'],
  ['actor_kind', 'text'],
  ['actor_id', 'text'],
  ['action', 'text'],
  ['from_status', 'text'],
  ['to_status', 'text'],
  ['reason', 'text'],
  ['data', 'text'],
].map(([name, type]) => ({ name, type }) as Column);

const PHOTO_COLUMNS: Column[] = [
  ['id', 'text'],
  ['ticket_id', 'int'],
  ['purpose', 'text'],
  ['width', 'int'],
  ['height', 'int'],
  ['sha256', 'text'],
  ['uploaded_at', 'text'],
  ['position', 'int'],
].map(([name, type]) => ({ name, type }) as Column);

const DESCRIPTIONS = [
  '西关集贸市场门口垃圾堆放多日无人清运，气味很大',
  '人民路人行道上商户占道经营，老人孩子只能走机动车道',
  '府前街斑马线机动车不礼让行人，早上上学时间很危险',
  '东关小区楼道里堆满杂物，消防通道被堵',
  '汽车站广场公益广告牌破损，字都看不清了',
  '南环路电动车乱停乱放，盲道被占',
  '北街背街小巷污水横流，路面坑洼',
  '临城县第一中学门口流动摊贩多，放学时交通拥堵',
];

const OPEN_STATUSES = [
  'received',
  'dispatched',
  'accepted',
  'rectifying',
  'extension_requested',
  'reported',
  'returned',
  'reopened',
] as const;

/** Generates and writes tickets [from, to) for one batch; returns its tables. */
function generate(catalog: Catalog, now: number, total: number, from: number, to: number, counters: { event: number }): Table[] {
  const rnd = random(from + 1);
  const units = catalog.units.map((u) => u.code);
  const categories = catalog.categories.map((c) => c.code);
  const points = catalog.points.map((p) => p.id);
  const tickets: unknown[][] = [];
  const reporters: unknown[][] = [];
  const events: unknown[][] = [];
  const photos: unknown[][] = [];
  const iso = (t: number) => new Date(t).toISOString();
  for (let id = from; id < to; id++) {
    const created = now - SPAN_DAYS * DAY + Math.floor(((id - 0.5) / total) * SPAN_DAYS * DAY);
    const age = now - created;
    const unit = units[id % units.length]!;
    const category = categories[Math.floor(rnd() * categories.length)]!;
    const point = rnd() < 0.4 ? points[Math.floor(rnd() * points.length)]! : null;
    const r = rnd();
    const channel = r < 0.6 ? 'web' : r < 0.85 ? 'hotline' : r < 0.95 ? 'mail' : 'inspection';
    const source = channel === 'inspection' ? 'inspection' : rnd() < 0.02 ? 'media' : 'resident';
    // Recent tickets are often still open; a few old ones too (the ones that never get done).
    const openChance = age < 60 * DAY ? 0.4 : 0.01;
    const s = rnd();
    const status: string =
      s < openChance
        ? OPEN_STATUSES[Math.floor(rnd() * OPEN_STATUSES.length)]!
        : s < openChance + 0.03
          ? 'rejected'
          : s < openChance + 0.04
            ? 'merged'
            : 'closed';
    let seq = 0;
    let at = created;
    let current: string | null = null;
    let deadline: string | null = null;
    let dispatched: string | null = null;
    let acknowledged: string | null = null;
    let closed: string | null = null;
    const step = (action: string, to: string, actorKind: string, data: object = {}, reason: string | null = null) => {
      seq++;
      events.push([
        counters.event++,
        id,
        seq,
        iso(at),
        actorKind,
        actorKind === 'resident' || actorKind === 'system' ? null : String(1 + (id % 40)),
        action,
        current,
        to,
        reason,
        JSON.stringify(data),
      ]);
      current = to;
      // The next step comes hours to a couple of days later, but never after now.
      at = Math.min(at + Math.floor(HOUR + rnd() * 2 * DAY), now - 60_000);
    };
    step('submit', 'received', channel === 'hotline' ? 'operator' : 'resident');
    if (rnd() < 0.5) photos.push([photoId(id, 0), id, 'report', 1280, 960, photoId(id, 0), iso(created), 0]);
    const path = (): string[] => {
      switch (status) {
        case 'received':
          return [];
        case 'rejected':
          return ['reject'];
        case 'merged':
          return ['merge'];
        case 'returned':
          return ['dispatch', 'return'];
        case 'dispatched':
          return ['dispatch'];
        case 'accepted':
          return ['dispatch', 'accept'];
        case 'rectifying':
          return ['dispatch', 'accept', 'startRectification'];
        case 'extension_requested':
          return ['dispatch', 'accept', 'startRectification', 'requestExtension'];
        case 'reported':
          return ['dispatch', 'accept', 'startRectification', 'reportRectification'];
        case 'reopened':
          return ['dispatch', 'accept', 'startRectification', 'reportRectification', 'verify', 'reopen'];
        default:
          return rnd() < 0.1
            ? ['dispatch', 'accept', 'startRectification', 'reportRectification', 'sendBack', 'reportRectification', 'verify']
            : ['dispatch', 'accept', 'startRectification', 'reportRectification', 'verify'];
      }
    };
    let rectifications = 0;
    for (const action of path()) {
      switch (action) {
        case 'dispatch':
          dispatched = iso(at);
          deadline = iso(at + 7 * DAY);
          step('dispatch', 'dispatched', 'system', {
            leadUnitCode: unit,
            categoryCode: category,
            cooperatingUnitCodes: [],
            deadlineAt: deadline,
          });
          break;
        case 'accept':
          acknowledged = iso(at);
          step('accept', 'accepted', 'unit');
          break;
        case 'startRectification':
          step('startRectification', 'rectifying', 'unit');
          break;
        case 'requestExtension':
          step('requestExtension', 'extension_requested', 'unit', {}, '需要协调城管、市场监管联合执法，申请延期五天');
          break;
        case 'reportRectification': {
          const pid = photoId(id, 1 + rectifications++);
          photos.push([pid, id, 'rectification', 1280, 960, pid, iso(at), rectifications - 1]);
          step('reportRectification', 'reported', 'unit', { text: '已组织人员清理整改完毕，并安排专人每日巡查', photoIds: [pid] });
          break;
        }
        case 'sendBack':
          step('sendBack', 'rectifying', 'office', {}, '复查时仍有垃圾堆放，请彻底清理');
          break;
        case 'verify':
          closed = iso(at);
          step('verify', 'closed', 'office');
          break;
        case 'reopen':
          closed = null;
          step('reopen', 'reopened', 'operator', {}, '回访时群众反映问题反弹');
          break;
        case 'reject':
          step('reject', 'rejected', 'office', {}, '不属于创城工作范围');
          break;
        case 'merge':
          step('merge', 'merged', 'office', { intoTrackingCode: trackingCode(Math.max(1, id - 1)) });
          break;
      }
    }
    const open = !['closed', 'rejected', 'merged'].includes(status);
    const supervised = open && rnd() < 0.005 ? iso(at) : null;
    if (supervised) step('supervise', status, 'leader', { instruction: '请责任单位三日内整改到位' });
    const reportCount = rnd() < 0.05 ? 2 + Math.floor(rnd() * 4) : 1;
    const running = ['dispatched', 'accepted', 'rectifying', 'extension_requested', 'reported'].includes(status);
    tickets.push([
      id,
      trackingCode(id),
      status,
      channel,
      DESCRIPTIONS[id % DESCRIPTIONS.length]!,
      status === 'received' ? null : category,
      category,
      unit,
      0.8,
      status === 'received' || status === 'rejected' || status === 'merged' ? null : unit,
      '[]',
      point,
      point ? null : '临城县人民路 ' + (id % 300) + ' 号附近',
      running || status === 'closed' ? deadline : null,
      iso(created),
      iso(Math.min(at, now - 60_000)),
      closed,
      seq,
      dispatched,
      dispatched ? iso(Date.parse(dispatched) + 2 * HOUR) : null,
      acknowledged,
      source,
      supervised,
      supervised ? 1 : null,
      supervised ? '请责任单位三日内整改到位' : null,
      reportCount,
    ]);
    reporters.push([
      id,
      rnd() < 0.1 ? 1 : 0,
      rnd() < 0.3 ? '张先生' : null,
      rnd() < 0.7 ? `138${String(id).padStart(8, '0')}` : null,
      '10.0.0.1',
    ]);
  }
  return [
    { name: 'tickets', columns: TICKET_COLUMNS, rows: tickets },
    { name: 'ticket_reporters', columns: REPORTER_COLUMNS, rows: reporters },
    { name: 'ticket_events', columns: EVENT_COLUMNS, rows: events },
    { name: 'photos', columns: PHOTO_COLUMNS, rows: photos },
  ];
}

/** A valid tracking code, unique per id: the id's base-19 digits as the code's eight symbols. */
export function trackingCode(id: number): string {
  let rest = id;
  return generateTrackingCode((base) => {
    const digit = rest % base;
    rest = Math.floor(rest / base);
    return digit;
  });
}

function photoId(ticket: number, n: number): string {
  return (ticket * 8 + n).toString(16).padStart(32, '0');
}

export interface SeedResult {
  tickets: number;
  events: number;
  photos: number;
  seconds: number;
}

type Progress = (done: number, total: number) => void;

async function seedWith(
  catalog: Catalog,
  now: Date,
  total: number,
  write: (tables: Table[]) => Promise<void> | void,
  progress: Progress,
): Promise<SeedResult> {
  const started = performance.now();
  const counters = { event: 1 };
  let photos = 0;
  for (let from = 1; from <= total; from += BATCH) {
    const tables = generate(catalog, now.getTime(), total, from, Math.min(total + 1, from + BATCH), counters);
    photos += tables[3]!.rows.length;
    await write(tables);
    progress(Math.min(total, from + BATCH - 1), total);
  }
  return { tickets: total, events: counters.event - 1, photos, seconds: (performance.now() - started) / 1000 };
}

/** Seeds PostgreSQL at `url` (migrated, empty): one multi-row `unnest` insert per table and batch, commits every 10 batches. */
export async function seedPostgres(url: string, catalog: Catalog, now: Date, total: number, progress: Progress): Promise<SeedResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SET synchronous_commit = off');
    await client.query('BEGIN');
    let batches = 0;
    const result = await seedWith(
      catalog,
      now,
      total,
      async (tables) => {
        for (const t of tables) {
          if (t.rows.length === 0) continue;
          const params = t.columns.map((_, c) => t.rows.map((row) => row[c]));
          const unnest = t.columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
          await client.query(`INSERT INTO ${t.name} (${t.columns.map((c) => c.name).join(', ')}) SELECT * FROM unnest(${unnest})`, params);
        }
        if (++batches % 10 === 0) await client.query('COMMIT; BEGIN');
      },
      progress,
    );
    await client.query('COMMIT');
    // Explicit ids were inserted: move the sequences past them, as the portal's own inserts need.
    await client.query(`SELECT setval('tickets_id_seq', (SELECT max(id) FROM tickets))`);
    await client.query(`SELECT setval('ticket_events_id_seq', (SELECT max(id) FROM ticket_events))`);
    await client.query('VACUUM ANALYZE');
    return result;
  } finally {
    await client.end();
  }
}

/** Seeds the SQLite file (migrated, empty) with prepared statements, one transaction per 10 batches. */
export async function seedSqlite(file: string, catalog: Catalog, now: Date, total: number, progress: Progress): Promise<SeedResult> {
  const db = new DatabaseSync(file);
  try {
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -200000;');
    const statements = new Map<string, ReturnType<DatabaseSync['prepare']>>();
    db.exec('BEGIN');
    let batches = 0;
    const result = await seedWith(
      catalog,
      now,
      total,
      (tables) => {
        for (const t of tables) {
          let st = statements.get(t.name);
          if (!st) {
            st = db.prepare(
              `INSERT INTO ${t.name} (${t.columns.map((c) => c.name).join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')})`,
            );
            statements.set(t.name, st);
          }
          for (const row of t.rows) st.run(...(row as Array<string | number | null>));
        }
        if (++batches % 10 === 0) db.exec('COMMIT; BEGIN');
      },
      progress,
    );
    db.exec('COMMIT');
    db.exec('ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);');
    return result;
  } finally {
    db.close();
  }
}
