// Ticket actions posted by plain forms on list pages (签收 in the inbox, 销号 / 退回 on the
// verification page): checked with the one action schema and done through the same
// app.staff.act as the API, so they work without JavaScript and the server checks everything.
import type { PortalServices, RequestContext } from '../../../server/app-services.ts';
import type { StaffUser } from '../../../server/auth/roles.ts';
import { ticketActionInputSchema } from '../../../server/staff/action-schema.ts';
import type { Action } from '../../../server/tickets/lifecycle.ts';

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
  if (request.sameOrigin === false) return { ok: false, status: 403, message: '跨站请求被拒绝，请在本站页面上操作。', code, fields: {} };
  const action = String(form?.get('action') ?? '') as Action;
  if (!form || !allowed.includes(action)) return { ok: false, status: 400, message: '不支持这个操作。', code, fields: {} };
  const version = Number(form.get('version'));
  const act: Record<string, unknown> = { action };
  for (const field of ['reason', 'note'] as const) {
    const value = form.get(field);
    if (typeof value === 'string' && (field === 'reason' || value.trim())) act[field] = value;
  }
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
    const name = err instanceof Error ? err.name : '';
    const status = { InvalidInputError: 400, NotFoundError: 404, ConflictError: 409, ForbiddenError: 403 }[name];
    if (!status) throw err;
    const fields = (err as Error & { fields?: Record<string, string> }).fields ?? {};
    return { ok: false, status, message: (err as Error).message, code, fields };
  }
}
