// What comes out of an inspection round once it is worked (issue 14, item 3), assembled for the
// portal: the supervision cards (督办交办卡) per unit, on screen and as .docx, and the round's
// bulletin (通报) with the publication of its public version. Every call checks the user's role
// (and unit) in supervision-card.ts and bulletin.ts.
import type { StaffUser } from '../auth/roles.ts';
import { NotFoundError } from '../errors.ts';
import { createBulletins, type BulletinDeps } from './bulletin.ts';
import { cardsDocx } from './card-docx.ts';
import { createSupervisionCards } from './supervision-card.ts';

export interface InspectionReportDeps extends BulletinDeps {
  /** The thumbnail URL of a stored photo, and the path of its thumbnail file (photo-store.ts). */
  photos: { thumbUrl(photoId: string): string; thumbPath(photoId: string): string };
}

/** A .docx of cards, with the file name it is offered under. */
export interface CardFile {
  filename: string;
  body: Buffer;
}

export function createInspectionReports(deps: InspectionReportDeps) {
  const supervision = createSupervisionCards({ ...deps, thumbUrl: deps.photos.thumbUrl });
  const bulletins = createBulletins(deps);

  /** The cards of a round (one unit's with `unitCode`) as one Word document. */
  async function cardsFile(user: StaffUser, roundId: number, unitCode?: string): Promise<CardFile> {
    const cards = await supervision.cards(user, roundId, unitCode);
    if (cards.length === 0) throw new NotFoundError('本轮督导没有发现问题，没有督办交办卡');
    const body = await cardsDocx(cards, deps.photos.thumbPath);
    const who = cards.length === 1 ? cards[0]!.unit.shortName : '全部单位';
    return { filename: `督办交办卡-${cards[0]!.round.name}-${who}.docx`, body };
  }

  return { cards: supervision.cards, cardsFile, bulletin: bulletins.bulletin, publishPublicBulletin: bulletins.publishPublic };
}

export type InspectionReports = ReturnType<typeof createInspectionReports>;
