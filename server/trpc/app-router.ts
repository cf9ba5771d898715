// The API at /api/trpc. Plain JSON on the wire (no transformer) so curl and other languages can
// call it; see README "API". Each procedure is its schema plus one call into the domain.
import { reportInputSchema, suggestInputSchema, trackInputSchema } from '../intake/report-schema.ts';
import { onlineAnswerSchema } from '../follow-ups/follow-up-schema.ts';
import { joinInputSchema, nearbyInputSchema } from '../intake/me-too-schema.ts';
import { publicProcedure, router } from './init.ts';
import { authRouter, staffRouter } from './staff-router.ts';
import { ledgerRouter } from './ledger-router.ts';
import { inspectionRouter } from './inspection-router.ts';
import { inspectionReportRouter } from './inspection-report-router.ts';
import { patrolRouter } from './patrol-router.ts';
import { lookupCodeInputSchema, lookupTicketsInputSchema } from '../phone-lookup/phone-lookup-schema.ts';

export const appRouter = router({
  report: router({
    submit: publicProcedure.input(reportInputSchema).mutation(({ ctx, input }) => ctx.app.submitReport(input, ctx.request)),
    track: publicProcedure.input(trackInputSchema).query(({ ctx, input }) => ctx.app.trackReport(input.trackingCode, ctx.request)),
    /** 网上回访: the reporter's "fixed?" answer on a closed ticket (proof: last four phone digits or the mail link's key). */
    answerFollowUp: publicProcedure.input(onlineAnswerSchema).mutation(({ ctx, input }) => ctx.app.answerFollowUp(input, ctx.request)),
  }),
  routing: router({
    suggest: publicProcedure.input(suggestInputSchema).query(({ ctx, input }) => ctx.app.suggestRoute(input)),
  }),
  meToo: router({
    nearby: publicProcedure.input(nearbyInputSchema).query(({ ctx, input }) => ctx.app.meToo.nearby(input, ctx.request)),
    join: publicProcedure.input(joinInputSchema).mutation(({ ctx, input }) => ctx.app.meToo.join(input, ctx.request)),
  }),
  auth: authRouter,
  staff: staffRouter,
  ledgers: ledgerRouter,
  inspection: inspectionRouter,
  inspectionReports: inspectionReportRouter,
  patrol: patrolRouter,
  // A resident's tickets by mobile number: a one-time code by SMS, then the list (README "My reports").
  lookup: router({
    requestCode: publicProcedure
      .input(lookupCodeInputSchema)
      .mutation(({ ctx, input }) => ctx.app.phoneLookup.requestCode(input.phone, ctx.request)),
    tickets: publicProcedure
      .input(lookupTicketsInputSchema)
      .mutation(({ ctx, input }) => ctx.app.phoneLookup.listTickets(input.phone, input.code)),
  }),
});

export type AppRouter = typeof appRouter;
