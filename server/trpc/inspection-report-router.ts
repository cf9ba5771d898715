// After an inspection round (issue 14, item 3): its supervision cards (督办交办卡; the .docx is
// GET /api/inspection/rounds/<id>/cards.docx, server/http/card-downloads.ts), its bulletin (通报)
// and the publication of the bulletin's public version. Roles and units are checked in
// server/inspection/ (supervision-card.ts, bulletin.ts).
import { bulletinInputSchema, cardsInputSchema } from '../inspection/round-report-schema.ts';
import { router, staffProcedure } from './init.ts';

export const inspectionReportRouter = router({
  cards: staffProcedure()
    .input(cardsInputSchema)
    .query(({ ctx, input }) => ctx.app.inspectionReports.cards(ctx.user, input.roundId, input.unitCode)),
  bulletin: staffProcedure()
    .input(bulletinInputSchema)
    .query(({ ctx, input }) => ctx.app.inspectionReports.bulletin(ctx.user, input.roundId)),
  publishBulletin: staffProcedure()
    .input(bulletinInputSchema)
    .mutation(({ ctx, input }) => ctx.app.inspectionReports.publishPublicBulletin(ctx.user, input.roundId)),
});
