// Tickets in a given state for integration tests, made the way production makes them: the
// resident's report through the portal's submitReport (or the same intake with another
// channel), then every step as a staff member through the portal's staff commands — which check
// role and unit, go through transition() and record exactly the events the console records.
//
//   const t = await startTestPortal(kind);
//   const closed = await makeTicket(t, { text: CROSSING, status: 'closed', at: '2026-11-02T02:00:00.000Z' });
//   const late = await makeTicket(t, { text: MARKET, unit: 'fagaiju', status: 'accepted' });
//   await act(t, late, { action: 'startRectification' }, { at: '2026-11-20T02:00:00.000Z' });
//
// Time: each step happens `stepMinutes` after the one before (default 60), starting at `at`
// (default the clock's now). The portal clock is set to each step's time and left at the last.
// Staff accounts (a dispatcher, and one account per unit that acts) are created on first use.
import sharp from 'sharp';
import type { StaffUser } from '../../server/auth/roles.ts';
import { createReportIntake, type Channel } from '../../server/intake/submit-report.ts';
import type { TicketActionInput } from '../../server/staff/action-schema.ts';
import type { Status } from '../../server/tickets/lifecycle.ts';
import { findTicketByCode, type TicketRecord } from '../../server/tickets/ticket-repository.ts';
import type { TestPortal } from './portal.ts';
import { createStaffUser } from './staff-accounts.ts';

const MINUTE_MS = 60_000;
const PASSWORD = 'ticket-factory-42';
const CLIENT = { ip: '198.51.100.50', userAgent: 'ticket-factory' };

const accounts = new WeakMap<TestPortal, Map<string, StaffUser>>();

/** A staff account of the test portal, created on first use: 'office' (a dispatcher) or a unit code. */
export async function staffUser(t: TestPortal, who: string): Promise<StaffUser> {
  let users = accounts.get(t);
  if (!users) accounts.set(t, (users = new Map()));
  const known = users.get(who);
  if (known) return known;
  const office = who === 'office';
  const user = await createStaffUser(t, {
    username: office ? 'factory-office' : `factory-${who}`,
    displayName: office ? '测试调度员' : `测试${who}`,
    role: office ? 'dispatcher' : 'unit',
    unitCode: office ? null : who,
    password: PASSWORD,
  });
  users.set(who, user);
  return user;
}

export interface SubmitOptions {
  /** The resident's description. */
  text: string;
  /** When it was submitted (default: the clock's now). */
  at?: string | Date;
  channel?: Channel;
  category?: string;
  pointId?: string;
  location?: { address?: string; lat?: number; lng?: number };
  reporter?: { name?: string; phone?: string; email?: string };
}

/** A resident's report through the real intake (web: the portal's own). The clock is set to `at`. */
export async function submitTicket(t: TestPortal, o: SubmitOptions): Promise<TicketRecord> {
  if (o.at !== undefined) t.clock.set(o.at);
  const raw = {
    description: o.text,
    ...(o.category && { category: o.category }),
    ...(o.pointId && { pointId: o.pointId }),
    ...(o.location && { location: o.location }),
    ...(o.reporter && { reporter: o.reporter }),
  };
  const { db } = t.portal.database;
  const channel = o.channel ?? 'web';
  const result =
    channel === 'web'
      ? await t.portal.services.submitReport(raw, CLIENT)
      : await createReportIntake({
          db,
          writes: { run: (work) => db.transaction().execute(work), runStatement: (work) => work(db) },
          catalog: t.portal.services.catalog,
          router: { suggest: (input) => t.portal.services.suggestRoute(input) },
          clock: t.clock,
          acknowledgeHours: 24,
        }).submitReport(raw, { channel, actorId: null });
  return reload(t, result.trackingCode);
}

async function reload(t: TestPortal, trackingCode: string): Promise<TicketRecord> {
  const ticket = await findTicketByCode(t.portal.database.db, trackingCode);
  if (!ticket) throw new Error(`ticket ${trackingCode} not found`);
  return ticket;
}

const UNIT_ACTIONS: ReadonlyArray<TicketActionInput['action']> = [
  'accept',
  'return',
  'startRectification',
  'requestExtension',
  'reportRectification',
];

/**
 * One staff action at `at`: by the ticket's lead unit for a unit's action, by the office
 * otherwise (or by `as`: 'office' or a unit code). `ticket` is refreshed in place and returned.
 */
export async function act(
  t: TestPortal,
  ticket: TicketRecord,
  action: TicketActionInput,
  o: { at: string | Date; as?: string },
): Promise<TicketRecord> {
  t.clock.set(o.at);
  const who = o.as ?? (UNIT_ACTIONS.includes(action.action) ? ticket.leadUnitCode : 'office');
  if (!who) throw new Error(`ticket ${ticket.trackingCode} has no lead unit to ${action.action}`);
  await t.portal.services.staff.act(await staffUser(t, who), { trackingCode: ticket.trackingCode, act: action });
  return Object.assign(ticket, await reload(t, ticket.trackingCode));
}

let photoSeed = 0;

/** An after-photo (整改后照片) uploaded by the unit's staff through the portal's upload. */
export async function uploadAfterPhoto(t: TestPortal, unitCode: string): Promise<string> {
  photoSeed = (photoSeed + 37) % 256;
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: photoSeed, g: 160, b: 90 } } })
    .jpeg()
    .toBuffer();
  const user = await staffUser(t, unitCode);
  // Sessions expire with the (moving) test clock: sign in at the moment of the upload.
  const { token } = await t.portal.services.accounts.login(user.username, PASSWORD, CLIENT);
  const uploaded = await t.portal.services.uploadPhoto(new Uint8Array(jpeg), { ...CLIENT, sessionToken: token }, 'rectification');
  return uploaded.id;
}

/** The unit reports its rectification with `photos` after-photos (default 1; with none, it says why). */
export async function reportRectification(
  t: TestPortal,
  ticket: TicketRecord,
  o: { at: string | Date; text?: string; photos?: number },
): Promise<TicketRecord> {
  t.clock.set(o.at);
  const photoIds: string[] = [];
  for (let i = 0; i < (o.photos ?? 1); i++) photoIds.push(await uploadAfterPhoto(t, ticket.leadUnitCode!));
  const noPhoto = photoIds.length === 0 ? { noPhotoReason: '问题只在夜间出现，白天拍不到' } : {};
  return act(t, ticket, { action: 'reportRectification', text: o.text ?? '已按要求整改完毕，现场已清理。', photoIds, ...noPhoto }, o);
}

export type TargetStatus = Extract<
  Status,
  'received' | 'dispatched' | 'returned' | 'accepted' | 'rectifying' | 'extension_requested' | 'reported' | 'closed' | 'rejected'
>;

export interface MakeTicketOptions extends SubmitOptions {
  /** Where the ticket ends (default 'dispatched'). */
  status?: TargetStatus;
  /** The lead unit: the office dispatches or reassigns to it when the router chose otherwise. */
  unit?: string;
  /** Minutes between steps (default 60). */
  stepMinutes?: number;
  /** For 'reported' and 'closed': the office sends the first report back once. */
  sentBack?: boolean;
}

/** A ticket brought to `status` step by step through the lifecycle. */
export async function makeTicket(t: TestPortal, o: MakeTicketOptions): Promise<TicketRecord> {
  const target = o.status ?? 'dispatched';
  const start = new Date(o.at ?? t.clock.now()).getTime();
  let step = 0;
  const next = () => ({ at: new Date(start + ++step * (o.stepMinutes ?? 60) * MINUTE_MS) });

  const ticket = await submitTicket(t, { ...o, at: new Date(start) });
  if (target === 'received' || target === 'rejected') {
    if (ticket.status !== 'received') throw new Error(`makeTicket: "${o.text}" was routed, not triaged; use a text for the office's queue`);
    return target === 'received' ? ticket : act(t, ticket, { action: 'reject', reason: '不属于创城工作范围' }, next());
  }
  if (ticket.status === 'received') {
    if (!o.unit) throw new Error(`makeTicket: "${o.text}" went to triage; say which unit to dispatch it to`);
    await act(t, ticket, { action: 'dispatch', unitCode: o.unit, categoryCode: o.category ?? null }, next());
  } else if (o.unit && ticket.leadUnitCode !== o.unit) {
    await act(t, ticket, { action: 'reassign', unitCode: o.unit, categoryCode: o.category ?? null, reason: '派错单位，改派' }, next());
  }
  if (target === 'dispatched') return ticket;
  if (target === 'returned') return act(t, ticket, { action: 'return', reason: '不属于本单位职责' }, next());
  await act(t, ticket, { action: 'accept' }, next());
  if (target === 'accepted') return ticket;
  await act(t, ticket, { action: 'startRectification' }, next());
  if (target === 'rectifying') return ticket;
  if (target === 'extension_requested') {
    const requested = new Date(Date.parse(ticket.deadlineAt!) + 7 * 24 * 60 * MINUTE_MS).toISOString();
    return act(t, ticket, { action: 'requestExtension', reason: '需采购材料', requestedDeadline: requested }, next());
  }
  if (o.sentBack) {
    await reportRectification(t, ticket, { ...next(), text: '已初步清理。' });
    await act(t, ticket, { action: 'sendBack', reason: '现场仍有问题，请彻底整改' }, next());
  }
  await reportRectification(t, ticket, next());
  if (target === 'reported') return ticket;
  return act(t, ticket, { action: 'verify' }, next());
}
