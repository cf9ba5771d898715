// The citizen patrol group's API (issue 14 item 5), mounted at `patrol`: a member's report and own
// reports, the persuasion tally (劝导), and the office's entry of findings by the media, leaders and
// NPC/CPPCC inspections. Roles are checked in the domain (server/patrol/).
import { z } from '../validation.ts';
import { MONTH_PATTERN } from '../china-time.ts';
import { findingInputSchema } from '../patrol/findings.ts';
import { persuasionInputSchema } from '../patrol/patrol-schema.ts';
import { patrolReportInputSchema } from '../patrol/patrol-reports.ts';
import { router, staffProcedure } from './init.ts';

export const patrolRouter = router({
  report: staffProcedure()
    .input(patrolReportInputSchema)
    .mutation(({ ctx, input }) => ctx.app.patrol.reports.submit(ctx.user, input, ctx.request)),
  myReports: staffProcedure().query(({ ctx }) => ctx.app.patrol.reports.mine(ctx.user)),
  persuasion: router({
    record: staffProcedure()
      .input(persuasionInputSchema)
      .mutation(({ ctx, input }) => ctx.app.patrol.persuasion.record(ctx.user, input)),
    mine: staffProcedure().query(({ ctx }) => ctx.app.patrol.persuasion.mine(ctx.user)),
    tally: staffProcedure()
      .input(z.object({ month: z.string().trim().regex(MONTH_PATTERN, { error: '月份格式应为 2026-12' }) }))
      .query(({ ctx, input }) => ctx.app.patrol.persuasion.tally(ctx.user, input.month)),
  }),
  findings: router({
    enter: staffProcedure()
      .input(findingInputSchema)
      .mutation(({ ctx, input }) => ctx.app.patrol.findings.enter(ctx.user, input, ctx.request)),
  }),
});
