// What the API sends for a round's supervision cards and bulletin (server/trpc/
// inspection-report-router.ts): the round, and for the cards optionally one unit. Chinese messages.
import { z } from '../validation.ts';

const roundId = z.number({ error: '请指明是哪一轮督导' }).int().positive({ error: '请指明是哪一轮督导' });

export const cardsInputSchema = z.object({
  roundId,
  unitCode: z.string().trim().min(1).max(60, { error: '单位代码不正确' }).optional(),
});

export const bulletinInputSchema = z.object({ roundId });
