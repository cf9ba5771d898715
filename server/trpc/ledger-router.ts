// The three ledgers and the monthly report for the console (rows as JSON). Downloads (.xlsx,
// CSV) are plain HTTP: server/http/ledger-downloads.ts.
import {
  monthlyReportInputSchema,
  pointLedgerFilterSchema,
  problemLedgerFilterSchema,
  rectificationLedgerFilterSchema,
} from '../ledgers/ledgers.ts';
import { z } from '../validation.ts';
import { router, staffProcedure } from './init.ts';

const periodSchema = z.string().trim().max(7, { error: '考核期间格式不正确，例如 2026-12 或 2026' });

export const ledgerRouter = router({
  points: staffProcedure()
    .input(pointLedgerFilterSchema)
    .query(({ ctx, input }) => ctx.app.ledgersFor(ctx.user).points(input)),
  problems: staffProcedure()
    .input(problemLedgerFilterSchema)
    .query(({ ctx, input }) => ctx.app.ledgersFor(ctx.user).problems(input)),
  rectifications: staffProcedure()
    .input(rectificationLedgerFilterSchema)
    .query(({ ctx, input }) => ctx.app.ledgersFor(ctx.user).rectifications(input)),
  monthlyReport: staffProcedure()
    .input(monthlyReportInputSchema)
    .query(({ ctx, input }) => ctx.app.ledgersFor(ctx.user).monthlyReport(input.month)),

  scores: staffProcedure()
    .input(z.object({ period: periodSchema }))
    .query(({ ctx, input }) => ctx.app.scores.board(ctx.user, input.period)),
  scoreTrend: staffProcedure()
    .input(z.object({ unitCode: z.string().trim().min(1).max(60), month: periodSchema.optional() }))
    .query(({ ctx, input }) => ctx.app.scores.trend(ctx.user, input.unitCode, input.month)),
});
