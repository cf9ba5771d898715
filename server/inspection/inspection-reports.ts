// What comes out of an inspection round once it is worked (issue 14, item 3), assembled for the
// portal: the supervision cards (督办交办卡) per unit, on screen and as .docx, and the round's
// bulletin (通报) with the publication of its public version. Every call checks the user's role
// (and unit) in supervision-card.ts and bulletin.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { StaffUser } from '../auth/roles.ts';
import { NotFoundError } from '../errors.ts';
import { createBulletins, type BulletinDeps } from './bulletin.ts';
import { cardsDocx } from './card-docx.ts';
import { readsAllRounds } from './round-report.ts';
import { createSupervisionCards } from './supervision-card.ts';

export interface InspectionReportDeps extends BulletinDeps {
  /** CONTENT_DIR: the office's full name is read from its site.json at start (the heading of the cards and the bulletin). */
  contentDir: string;
  /** The thumbnail URL of a stored photo, and the path of its thumbnail file (photo-store.ts). */
  photos: { thumbUrl(photoId: string): string; readThumb(photoId: string): Promise<Buffer | null> };
}

/** A .docx of cards, with the file name it is offered under. */
export interface CardFile {
  filename: string;
  body: Buffer;
}

/** site.json's officeName (the same the console prints in its heading and the public site names as 发布单位); null without one. */
function officeNameIn(contentDir: string): string | null {
  try {
    const site = JSON.parse(readFileSync(path.join(contentDir, 'site.json'), 'utf8')) as { officeName?: unknown };
    return typeof site.officeName === 'string' && site.officeName.trim() ? site.officeName.trim() : null;
  } catch {
    return null;
  }
}

export function createInspectionReports(deps: InspectionReportDeps) {
  const officeName = officeNameIn(deps.contentDir);
  const withName = { ...deps, ...(officeName && { officeName }) };
  const supervision = createSupervisionCards({ ...withName, thumbUrl: deps.photos.thumbUrl });
  const bulletins = createBulletins(withName);

  /** The cards of a round (one unit's with `unitCode`) as one Word document. */
  async function cardsFile(user: StaffUser, roundId: number, unitCode?: string): Promise<CardFile> {
    const cards = await supervision.cards(user, roundId, unitCode);
    if (cards.length === 0)
      throw new NotFoundError(
        readsAllRounds(user) ? '本轮督导没有发现问题，没有督办交办卡' : '本轮督导没有发现本单位的问题，本单位没有督办交办卡',
      );
    const body = await cardsDocx(cards, deps.photos.readThumb);
    const who = cards.length === 1 ? cards[0]!.unit.shortName : '全部单位';
    return { filename: `督办交办卡-${cards[0]!.round.name}-${who}.docx`, body };
  }

  return { cards: supervision.cards, cardsFile, bulletin: bulletins.bulletin, publishPublicBulletin: bulletins.publishPublic };
}

export type InspectionReports = ReturnType<typeof createInspectionReports>;
