// The inspection API (督导, issue 14): the office plans, lists and closes rounds; an inspector reads
// their rounds and a round's sheet and records items and re-checks (the phone page sends what it
// kept offline through these). Plain JSON on the wire; roles are checked in server/inspection/.
import { planInputSchema, recordItemSchema, recordRecheckSchema, roundIdSchema, roundListSchema } from '../inspection/round-schema.ts';
import { router, staffProcedure } from './init.ts';

export const inspectionRouter = router({
  plan: staffProcedure()
    .input(planInputSchema)
    .mutation(({ ctx, input }) => ctx.app.inspection.plan(ctx.user, input)),
  list: staffProcedure()
    .input(roundListSchema)
    .query(({ ctx, input }) => ctx.app.inspection.list(ctx.user, input)),
  mine: staffProcedure().query(({ ctx }) => ctx.app.inspection.mine(ctx.user)),
  sheet: staffProcedure()
    .input(roundIdSchema)
    .query(({ ctx, input }) => ctx.app.inspection.sheet(ctx.user, input.roundId)),
  recordItem: staffProcedure()
    .input(recordItemSchema)
    .mutation(({ ctx, input }) => ctx.app.inspection.recordItem(ctx.user, input)),
  recordRecheck: staffProcedure()
    .input(recordRecheckSchema)
    .mutation(({ ctx, input }) => ctx.app.inspection.recordRecheck(ctx.user, input)),
  close: staffProcedure()
    .input(roundIdSchema)
    .mutation(({ ctx, input }) => ctx.app.inspection.close(ctx.user, input.roundId)),
});
