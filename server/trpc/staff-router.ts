// The staff API: sign-in, tickets (list, one, act, dispatch several) and user management. Every procedure checks
// the session; role and unit checks live in the domain (server/staff, server/auth).
import { z } from '../validation.ts';
import { newUserSchema, userUpdateSchema } from '../auth/accounts.ts';
import { escalationFilterSchema } from '../escalation/escalation-service.ts';
import { clearedSessionCookie, sessionCookie } from '../http/session-cookie.ts';
import { followUpInputSchema } from '../follow-ups/follow-up-schema.ts';
import { callInputSchema } from '../hotline/call-schema.ts';
import { bulkDispatchSchema, ticketActionInputSchema } from '../staff/action-schema.ts';
import { ticketFilterSchema } from '../staff/ticket-queries.ts';
import { liftSupervisionInputSchema, superviseInputSchema } from '../staff/supervision.ts';
import { editPublicSummaryInputSchema } from '../staff/closures.ts';
import {
  noticeDraftSchema,
  noticeIdSchema,
  noticeWithdrawSchema,
  noticeListFilterSchema,
  noticePublishSchema,
  responseDraftSchema,
  responseReviewSchema,
} from '../publish/notice-schema.ts';
import { router, sameOriginProcedure, staffProcedure } from './init.ts';

const loginSchema = z.object({
  username: z.string().trim().min(1, { error: '请输入用户名' }).max(60),
  password: z.string().min(1, { error: '请输入密码' }).max(200),
});

const codeSchema = z.object({ code: z.string().trim().min(1, { error: '请输入验证码' }).max(20) });

const passwordChangeSchema = z.object({
  currentPassword: z.string().min(1, { error: '请输入当前密码' }).max(200),
  newPassword: z.string().min(1, { error: '请输入新密码' }).max(200),
});

export const authRouter = router({
  // `step`: what the session must do before other calls work — 'code' (auth.verifyCode),
  // 'password' (auth.changePassword), 'enrol' (auth.twoFactor.*) — or null.
  login: sameOriginProcedure.input(loginSchema).mutation(async ({ ctx, input }) => {
    const session = await ctx.app.accounts.login(input.username, input.password, ctx.request);
    ctx.resHeaders?.append('set-cookie', sessionCookie(session.token, session.expiresAt, ctx.secureCookies ?? false));
    return { user: session.user, expiresAt: session.expiresAt, step: session.step };
  }),
  verifyCode: sameOriginProcedure.input(codeSchema).mutation(async ({ ctx, input }) => {
    const session = await ctx.app.accounts.verifyCode(ctx.request.sessionToken, input.code, ctx.request);
    ctx.resHeaders?.append('set-cookie', sessionCookie(session.token, session.expiresAt, ctx.secureCookies ?? false));
    return { user: session.user, expiresAt: session.expiresAt, step: session.step };
  }),
  changePassword: sameOriginProcedure
    .input(passwordChangeSchema)
    .mutation(({ ctx, input }) => ctx.app.accounts.changePassword(ctx.request.sessionToken, input, ctx.request)),
  twoFactor: router({
    begin: sameOriginProcedure.mutation(({ ctx }) => ctx.app.accounts.beginEnrolment(ctx.request.sessionToken)),
    confirm: sameOriginProcedure
      .input(z.object({ secret: z.string().trim().max(64), code: z.string().trim().max(20) }))
      .mutation(({ ctx, input }) => ctx.app.accounts.confirmEnrolment(ctx.request.sessionToken, input.secret, input.code, ctx.request)),
  }),
  logout: sameOriginProcedure.mutation(async ({ ctx }) => {
    await ctx.app.accounts.logout(ctx.request.sessionToken, ctx.request);
    ctx.resHeaders?.append('set-cookie', clearedSessionCookie(ctx.secureCookies ?? false));
    return { ok: true };
  }),
  me: sameOriginProcedure.query(async ({ ctx }) => ({
    user: ctx.user,
    step: (await ctx.app.accounts.sessionOf(ctx.request.sessionToken))?.step ?? null,
  })),
});

export const staffRouter = router({
  tickets: router({
    list: staffProcedure()
      .input(ticketFilterSchema)
      .query(({ ctx, input }) => ctx.app.staff.list(ctx.user, input)),
    get: staffProcedure()
      .input(z.object({ trackingCode: z.string().trim().min(1).max(40) }))
      .query(({ ctx, input }) => ctx.app.staff.detail(ctx.user, input.trackingCode)),
    act: staffProcedure()
      .input(ticketActionInputSchema)
      .mutation(({ ctx, input }) => ctx.app.staff.act(ctx.user, input)),
    editPublicSummary: staffProcedure()
      .input(editPublicSummaryInputSchema)
      .mutation(({ ctx, input }) => ctx.app.closures.editSummary(ctx.user, input)),
    dispatchMany: staffProcedure()
      .input(bulkDispatchSchema)
      .mutation(({ ctx, input }) => ctx.app.staff.dispatchMany(ctx.user, input)),
    // 督办 (issue 14): leaders only, checked in server/staff/supervision.ts.
    supervise: staffProcedure()
      .input(superviseInputSchema)
      .mutation(({ ctx, input }) => ctx.app.supervision.supervise(ctx.user, input)),
    liftSupervision: staffProcedure()
      .input(liftSupervisionInputSchema)
      .mutation(({ ctx, input }) => ctx.app.supervision.lift(ctx.user, input)),
  }),
  escalations: router({
    list: staffProcedure()
      .input(escalationFilterSchema)
      .query(({ ctx, input }) => ctx.app.escalations.list(ctx.user, input)),
    ladder: staffProcedure().query(({ ctx }) => ctx.app.escalations.ladder(ctx.user)),
  }),
  units: router({
    list: staffProcedure().query(({ ctx }) => ctx.app.units.list()),
    setEmails: staffProcedure('admin')
      .input(z.object({ unitCode: z.string().trim().min(1).max(60), emails: z.array(z.string().max(254)).max(10).nullable() }))
      .mutation(({ ctx, input }) => ctx.app.units.setEmails(ctx.user, input.unitCode, input.emails)),
    setDutyPhones: staffProcedure('admin')
      .input(z.object({ unitCode: z.string().trim().min(1).max(60), phones: z.array(z.string().max(40)).max(5) }))
      .mutation(({ ctx, input }) => ctx.app.units.setDutyPhones(ctx.user, input.unitCode, input.phones)),
  }),
  hotline: router({
    logCall: staffProcedure()
      .input(callInputSchema)
      .mutation(({ ctx, input }) => ctx.app.hotline.logCall(ctx.user, input)),
    history: staffProcedure()
      .input(z.object({ phone: z.string().trim().max(30) }))
      .query(({ ctx, input }) => ctx.app.hotline.history(ctx.user, input.phone)),
    duplicates: staffProcedure()
      .input(
        z.object({
          pointId: z.string().trim().max(60).optional(),
          categoryCode: z.string().trim().max(40).optional(),
          address: z.string().trim().max(200).optional(),
          lat: z.number().min(-90).max(90).optional(),
          lng: z.number().min(-180).max(180).optional(),
        }),
      )
      .query(({ ctx, input }) => ctx.app.hotline.duplicates(ctx.user, input)),
    points: staffProcedure()
      .input(z.object({ q: z.string().trim().max(60) }))
      .query(({ ctx, input }) => ctx.app.hotline.points(ctx.user, input.q)),
    calls: staffProcedure()
      .input(
        z
          .object({
            phone: z.string().trim().max(30).optional(),
            since: z.iso.datetime({ offset: true }).optional(),
            limit: z.number().int().min(1).max(200).optional(),
          })
          .optional(),
      )
      .query(({ ctx, input }) => ctx.app.hotline.recentCalls(ctx.user, input ?? {})),
  }),
  followUps: router({
    pending: staffProcedure()
      .input(z.object({ limit: z.number().int().min(1).max(200).optional() }).optional())
      .query(({ ctx, input }) => ctx.app.followUps.pending(ctx.user, input ?? {})),
    record: staffProcedure()
      .input(followUpInputSchema)
      .mutation(({ ctx, input }) => ctx.app.followUps.record(ctx.user, input)),
  }),
  mailbox: router({
    overview: staffProcedure()
      .input(z.object({ limit: z.number().int().min(1).max(500).optional() }).optional())
      .query(({ ctx, input }) => ctx.app.mailbox.overview(ctx.user, input ?? {})),
    reprocess: staffProcedure()
      .input(z.object({ id: z.number().int().positive() }))
      .mutation(({ ctx, input }) => ctx.app.mailbox.reprocess(ctx.user, input.id)),
  }),
  // Exposure notices and responses (issue 6): roles and units are checked in server/publish/notices.ts.
  notices: router({
    list: staffProcedure()
      .input(noticeListFilterSchema)
      .query(({ ctx, input }) => ctx.app.notices.list(ctx.user, input)),
    get: staffProcedure()
      .input(noticeIdSchema)
      .query(({ ctx, input }) => ctx.app.notices.get(ctx.user, input.id)),
    saveDraft: staffProcedure()
      .input(noticeDraftSchema)
      .mutation(({ ctx, input }) => ctx.app.notices.saveDraft(ctx.user, input)),
    publish: staffProcedure()
      .input(noticePublishSchema)
      .mutation(({ ctx, input }) => ctx.app.notices.publish(ctx.user, input)),
    awaiting: staffProcedure().query(({ ctx }) => ctx.app.notices.awaiting(ctx.user)),
    withdraw: staffProcedure()
      .input(noticeWithdrawSchema)
      .mutation(({ ctx, input }) => ctx.app.notices.withdraw(ctx.user, input)),
    flaggedUnits: staffProcedure().query(({ ctx }) => ctx.app.notices.flaggedUnits(ctx.user)),
    response: router({
      save: staffProcedure()
        .input(responseDraftSchema)
        .mutation(({ ctx, input }) => ctx.app.notices.saveResponse(ctx.user, input)),
      submit: staffProcedure()
        .input(responseDraftSchema)
        .mutation(({ ctx, input }) => ctx.app.notices.submitResponse(ctx.user, input)),
      review: staffProcedure()
        .input(responseReviewSchema)
        .mutation(({ ctx, input }) => ctx.app.notices.reviewResponse(ctx.user, input)),
    }),
  }),
  // The public site's builds (ADR 006): the office asks for a rebuild; the role is checked in server/publish/publishing.ts.
  publishing: router({
    rebuild: staffProcedure().mutation(({ ctx }) => ctx.app.publishing.rebuild(ctx.user)),
  }),
  users: router({
    list: staffProcedure('admin').query(({ ctx }) => ctx.app.accounts.listUsers()),
    create: staffProcedure('admin')
      .input(newUserSchema)
      .mutation(({ ctx, input }) => ctx.app.accounts.createUser(input, { actor: ctx.user, client: ctx.request })),
    update: staffProcedure('admin')
      .input(z.object({ id: z.number().int().positive(), changes: userUpdateSchema }))
      .mutation(({ ctx, input }) => ctx.app.accounts.updateUser(input.id, input.changes, { actor: ctx.user, client: ctx.request })),
    resetSecondFactor: staffProcedure('admin')
      .input(z.object({ id: z.number().int().positive() }))
      .mutation(({ ctx, input }) => ctx.app.accounts.resetSecondFactor(ctx.user, input.id, ctx.request)),
  }),
});
