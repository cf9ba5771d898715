// The three ledgers and the monthly report for the console (rows as JSON). Downloads (.xlsx,
// CSV) are plain HTTP: server/http/ledger-downloads.ts.
import {
  monthlyReportInputSchema,
  pointLedgerFilterSchema,
  problemLedgerFilterSchema,
  rectificationLedgerFilterSchema,
} from '../ledgers/ledgers.ts';
import { router, staffProcedure } from './init.ts';

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
});
