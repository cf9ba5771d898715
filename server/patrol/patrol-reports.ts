// The citizen patrol group's reports (channel `patrol`): a member's short phone form enters through
// the one submitReport like a resident's report and is routed by the router; the member is the
// actor (kind `patrol`), and the reporter is the account's name — typed by nobody, with no phone or
// mail, so units see no more than they would of a resident. The member reads back their own reports.
import type { Kysely } from 'kysely';
import type { Catalog } from '../catalog/types.ts';
import type { Database } from '../db/schema.ts';
import { ForbiddenError, InvalidInputError } from '../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import type { StaffUser } from '../auth/roles.ts';
import type { ReportIntake } from '../intake/submit-report.ts';
import type { SubmitResult } from '../intake/submit-result.ts';
import { statusLabel, type Status } from '../tickets/lifecycle.ts';
import { listTicketsSubmittedBy } from './patrol-repository.ts';
import * as z from 'zod/mini';
import { reportInputSchema } from '../intake/report-schema.ts';

/** A patrol member's report: what, where (address, position, point), photos; never a reporter typed again. */
export const patrolReportInputSchema = z.omit(reportInputSchema, { reporter: true, anonymous: true });

export interface PatrolReportItem {
  trackingCode: string;
  status: Status;
  statusLabel: string;
  description: string;
  unitName: string | null;
  createdAt: string;
}

export function createPatrolReports(deps: { db: Kysely<Database>; catalog: Catalog; intake: ReportIntake }) {
  const { db, catalog, intake } = deps;

  function patrolOnly(user: StaffUser): void {
    if (user.role !== 'patrol') throw new ForbiddenError('只有社会巡访监督员账号可以用此页面反映问题');
  }

  async function submit(user: StaffUser, raw: unknown, request: { ip?: string; userAgent?: string | null } = {}): Promise<SubmitResult> {
    patrolOnly(user);
    const parsed = patrolReportInputSchema.safeParse(raw);
    if (!parsed.success) {
      const fields = fieldErrors(parsed.error);
      throw new InvalidInputError(Object.values(fields)[0] ?? '提交的内容有误，请检查后重试', fields);
    }
    return intake.submitReport(
      { ...parsed.data, reporter: { name: user.displayName.slice(0, 50) }, anonymous: false },
      { channel: 'patrol', actorId: String(user.id), actorKind: 'patrol', ip: request.ip ?? null, userAgent: request.userAgent ?? null },
    );
  }

  /** The member's own reports, newest first (never another member's). */
  async function mine(user: StaffUser): Promise<PatrolReportItem[]> {
    patrolOnly(user);
    const tickets = await listTicketsSubmittedBy(db, 'patrol', String(user.id), 50);
    return tickets.map((t) => ({
      trackingCode: t.trackingCode,
      status: t.status,
      statusLabel: statusLabel(t.status),
      description: t.description,
      unitName: t.leadUnitCode ? (catalog.unit(t.leadUnitCode)?.name ?? null) : null,
      createdAt: t.createdAt,
    }));
  }

  return { submit, mine };
}

export type PatrolReports = ReturnType<typeof createPatrolReports>;
