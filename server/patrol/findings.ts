// The office's entry of what others found (/console/findings): a media undercover visit (媒体暗访),
// a county leader's inspection (县级领导督导) or an NPC/CPPCC inspection (人大政协视察) becomes a
// ticket through the one submitReport — channel `inspection`, the source named (migration 021 says
// why no other channel), the office account as actor — routed to the unit the office names, or by
// the router. A media finding may go straight into an exposure-notice draft (曝光稿) through the
// notices service, for the office to finish and publish.
import type { Catalog } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import { ForbiddenError, InvalidInputError } from '../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import { isOffice, type StaffUser } from '../auth/roles.ts';
import type { ReportIntake } from '../intake/submit-report.ts';
import type { SubmitResult } from '../intake/submit-result.ts';
import type { Notices } from '../publish/notices.ts';
import { FINDING_SOURCES, SOURCE_LABELS } from '../tickets/ticket-source.ts';
import { z } from '../validation.ts';

/** Days the exposed unit has to respond to a notice drafted from a finding; the office may change it. */
const RESPONSE_DAYS = 7;
const DAY_MS = 24 * 3600_000;

export const findingInputSchema = z
  .object({
    source: z.enum(FINDING_SOURCES, { error: '请选择问题来源：媒体暗访、县级领导督导或人大政协视察' }),
    description: z
      .string({ error: '请描述发现的问题' })
      .trim()
      .min(5, { error: '请把问题说得具体一些（至少5个字）：在哪里、是什么问题' })
      .max(2000, { error: '问题描述不能超过2000个字' }),
    categoryCode: z.string({ error: '请选择问题类别' }).trim().min(1, { error: '请选择问题类别' }).max(40),
    /** The lead unit when the office knows it; otherwise the router decides. */
    unitCode: z.string().trim().max(60).optional(),
    pointId: z.string().trim().max(60).optional(),
    address: z.string().trim().max(200, { error: '地址不能超过200个字' }).optional(),
    photoIds: z.array(z.string().trim().min(1).max(64)).max(6, { error: '最多上传6张照片' }).optional(),
    /** 同时生成曝光稿: media findings only, with the unit named. */
    exposureDraft: z.boolean().optional(),
    idempotencyKey: z.string().trim().min(8).max(100).optional(),
  })
  .superRefine((f, ctx) => {
    if (!f.exposureDraft) return;
    if (f.source !== 'media')
      ctx.addIssue({ code: 'custom', path: ['exposureDraft'], message: '只有媒体暗访发现的问题可以直接生成曝光稿' });
    else if (!f.unitCode) ctx.addIssue({ code: 'custom', path: ['unitCode'], message: '生成曝光稿需要选定责任单位' });
  });

export interface FindingResult {
  ticket: SubmitResult;
  /** The exposure-notice draft made with it, if asked for. */
  noticeId: number | null;
}

export function createFindings(deps: { catalog: Catalog; clock: Clock; intake: ReportIntake; notices: Pick<Notices, 'saveDraft'> }) {
  const { catalog, clock, intake, notices } = deps;

  async function enter(user: StaffUser, raw: unknown, request: { ip?: string; userAgent?: string | null } = {}): Promise<FindingResult> {
    if (!isOffice(user)) throw new ForbiddenError('只有创城办账号可以录入媒体暗访、领导督导和人大政协视察发现的问题');
    const parsed = findingInputSchema.safeParse(raw);
    if (!parsed.success) {
      const fields = fieldErrors(parsed.error);
      throw new InvalidInputError(Object.values(fields)[0] ?? '提交的内容有误，请检查后重试', fields);
    }
    const f = parsed.data;
    if (!catalog.category(f.categoryCode)) throw new InvalidInputError('所选问题类别不存在', { categoryCode: '所选问题类别不存在' });
    if (f.unitCode && !catalog.unit(f.unitCode)) throw new InvalidInputError('所选单位不存在', { unitCode: '所选单位不存在' });
    const ticket = await intake.submitReport(
      {
        description: f.description,
        category: f.categoryCode,
        ...(f.pointId && { pointId: f.pointId }),
        ...(f.address && { location: { address: f.address } }),
        ...(f.photoIds && { photoIds: f.photoIds }),
        ...(f.idempotencyKey && { idempotencyKey: `finding:${f.idempotencyKey}` }),
      },
      {
        channel: 'inspection',
        source: f.source,
        actorId: String(user.id),
        actorKind: 'office',
        ip: request.ip ?? null,
        userAgent: request.userAgent ?? null,
        ...(f.unitCode && { route: { unitCode: f.unitCode, categoryCode: f.categoryCode } }),
      },
    );
    if (!f.exposureDraft || !f.unitCode) return { ticket, noticeId: null };
    const category = catalog.category(f.categoryCode)!;
    const where = (f.pointId && catalog.point(f.pointId)?.name) || f.address || '';
    const draft = await notices.saveDraft(user, {
      trackingCodes: [ticket.trackingCode],
      title: `${SOURCE_LABELS.media}发现：${where ? `${where}` : ''}${category.name}问题`.slice(0, 100),
      body: f.description.length >= 10 ? f.description : `${f.description}（${SOURCE_LABELS.media}发现的问题）`,
      unitCode: f.unitCode,
      responseDueAt: new Date(clock.now().getTime() + RESPONSE_DAYS * DAY_MS).toISOString(),
      photos: (f.photoIds ?? []).map((id, i) => ({ id, kind: 'before' as const, alt: `暗访现场照片${i + 1}` })),
    });
    return { ticket, noticeId: draft.id };
  }

  return { enter };
}

export type Findings = ReturnType<typeof createFindings>;
