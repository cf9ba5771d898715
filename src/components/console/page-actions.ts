// Ticket actions posted by plain forms on list pages (签收 in the inbox, 销号 / 退回 on the
// verification page, 批量派单 in the office's queue): checked with the one action schema and done
// through the same app.staff calls as the API, so they work without JavaScript and the server
// checks everything.
import type { PortalServices, RequestContext } from '../../../server/app-services.ts';
import { asDomainError, fieldsOf, statusOf } from '../../../server/errors.ts';
import type { StaffUser } from '../../../server/auth/roles.ts';
import { BULK_DISPATCH_MAX, ticketActionInputSchema } from '../../../server/staff/action-schema.ts';
import type { BulkDispatchOutcome } from '../../../server/staff/ticket-commands.ts';
import type { Action } from '../../../server/tickets/lifecycle.ts';

const CROSS_SITE = '跨站请求被拒绝，请在本站页面上操作。';

interface Refusal {
  status: number;
  message: string;
  fields: Record<string, string>;
}

/** A domain error as the page shows it; anything else is not the person's to fix and is thrown on. */
function refusal(err: unknown): Refusal {
  const domain = asDomainError(err);
  if (!domain) throw err;
  return { status: statusOf(domain).status, message: domain.message, fields: fieldsOf(domain) };
}

export type PostedAction =
  { ok: true; action: Action; code: string } | { ok: false; status: number; message: string; code: string; fields: Record<string, string> };

export async function actFromForm(
  app: PortalServices,
  user: StaffUser,
  request: RequestContext,
  form: FormData | null,
  allowed: readonly Action[],
): Promise<PostedAction> {
  const code = String(form?.get('code') ?? '').slice(0, 40);
  if (request.sameOrigin === false) return { ok: false, status: 403, message: CROSS_SITE, code, fields: {} };
  const action = String(form?.get('action') ?? '') as Action;
  if (!form || !allowed.includes(action)) return { ok: false, status: 400, message: '不支持这个操作。', code, fields: {} };
  const version = Number(form.get('version'));
  const act: Record<string, unknown> = { action };
  for (const field of ['reason', 'note'] as const) {
    const value = form.get(field);
    if (typeof value === 'string' && (field === 'reason' || value.trim())) act[field] = value;
  }
  // 销号: what residents will read of the rectification (blank keeps the unit's own text).
  const publicSummary = form.get('publicSummary');
  if (action === 'verify' && typeof publicSummary === 'string' && publicSummary.trim()) act['publicSummary'] = publicSummary;
  const parsed = ticketActionInputSchema.safeParse({
    trackingCode: code,
    ...(Number.isInteger(version) && { expectedVersion: version }),
    act,
  });
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[String(issue.path.at(-1) ?? 'form')] ??= issue.message;
    return { ok: false, status: 400, message: Object.values(fields)[0] ?? '提交的内容有误', code, fields };
  }
  try {
    await app.staff.act(user, parsed.data);
    return { ok: true, action, code };
  } catch (err) {
    return { ok: false, code, ...refusal(err) };
  }
}

/** What the queue's 批量派单 form sent, kept to show it again when it is refused. */
export interface BulkDispatchForm {
  codes: string[];
  unitCode: string;
  categoryCode: string;
  cooperatingUnitCodes: string[];
  remarks: string;
}

export type PostedBulkDispatch = { form: BulkDispatchForm } & ({ ok: true; outcome: BulkDispatchOutcome } | ({ ok: false } & Refusal));

function readBulkDispatch(form: FormData | null): BulkDispatchForm {
  const text = (name: string, max: number) => String(form?.get(name) ?? '').slice(0, max);
  const list = (name: string) => (form?.getAll(name) ?? []).map((v) => String(v).slice(0, 60));
  return {
    codes: [...new Set(list('code'))].slice(0, BULK_DISPATCH_MAX + 1),
    unitCode: text('unitCode', 60),
    categoryCode: text('categoryCode', 40),
    cooperatingUnitCodes: list('cooperatingUnitCodes').slice(0, 20),
    remarks: text('remarks', 2000),
  };
}

/** 批量派单 from the queue: each ticked ticket with the version its row showed (`version-CODE`). */
export async function bulkDispatchFromForm(
  app: PortalServices,
  user: StaffUser,
  request: RequestContext,
  form: FormData | null,
): Promise<PostedBulkDispatch> {
  const posted = readBulkDispatch(form);
  if (request.sameOrigin === false) return { form: posted, ok: false, status: 403, message: CROSS_SITE, fields: {} };
  const tickets = posted.codes.map((trackingCode) => {
    const version = String(form?.get(`version-${trackingCode}`) ?? '');
    return { trackingCode, ...(/^\d{1,9}$/.test(version) && { expectedVersion: Number(version) }) };
  });
  try {
    const outcome = await app.staff.dispatchMany(user, {
      tickets,
      unitCode: posted.unitCode,
      categoryCode: posted.categoryCode || null,
      cooperatingUnitCodes: posted.cooperatingUnitCodes,
      remarks: posted.remarks,
    });
    return { form: posted, ok: true, outcome };
  } catch (err) {
    return { form: posted, ok: false, ...refusal(err) };
  }
}
