// 督办交办卡: one card per unit with problems in an inspection round — the campaign office's
// heading, the round, the card's number (督办〔2026〕第12-3号: the year the round started, the
// round, the unit's place among the round's cards in the catalog's order of units), the unit's
// full name, its problems (point, standard, what was found, a photo, tracking code, deadline),
// what is required of it and a 签收 line. Read by the console's print page and written as .docx
// (card-docx.ts). The office and leaders read every unit's card; unit staff only their own.
import type { StaffUser } from '../auth/roles.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import type { UnitLabel } from '../ledgers/ledger-labels.ts';
import {
  issuerOf,
  loadRound,
  mayReadReports,
  readsAllRounds,
  roundProblems,
  type RoundProblem,
  type RoundReportDeps,
} from './round-report.ts';
import { selectFirstPhotos } from './round-report-repository.ts';

export interface CardProblem {
  trackingCode: string;
  pointName: string;
  pointAddress: string;
  standard: string;
  /** What the inspector found (the note), or null. */
  found: string | null;
  /** The first photo of the problem: its id (the photo store's) and thumbnail URL. */
  photo: { id: string; thumbUrl: string } | null;
  deadlineOn: string | null;
}

export interface SupervisionCard {
  /** 督办〔2026〕第12-3号 */
  number: string;
  /** The campaign office's full name (site.json's officeName, else the catalog's office unit). */
  issuer: string;
  round: { id: number; name: string; startsOn: string; endsOn: string; closed: boolean };
  unit: UnitLabel;
  problems: CardProblem[];
  /** 整改时限、反馈要求. */
  requirement: string;
}

export interface CardDeps extends RoundReportDeps {
  /** The thumbnail URL of a stored photo (photo-store.ts). */
  thumbUrl(photoId: string): string;
}

export const CARD_REQUIREMENT =
  '请你单位对照上表逐项整改，在各问题的整改时限前整改到位，并登录创城工作台（本单位待办），' +
  '逐件签收、反馈整改情况，上传整改后照片。逾期未整改或整改不到位的，按创城考核办法首次通报、二次约谈、三次问责；' +
  '创城办将在下一轮督导中复查。';

export function cardNumber(round: { id: number; startsOn: string }, position: number): string {
  return `督办〔${round.startsOn.slice(0, 4)}〕第${round.id}-${position}号`;
}

export function createSupervisionCards(deps: CardDeps) {
  const { catalog } = deps;
  const issuer = issuerOf(deps);

  /**
   * The round's cards, in the catalog's order of units: every unit's for the office and leaders,
   * only the user's own unit's for unit staff. `unitCode` asks for one unit's card.
   */
  async function cards(user: StaffUser, roundId: number, unitCode?: string): Promise<SupervisionCard[]> {
    mayReadReports(user, '督办交办卡');
    if (!readsAllRounds(user)) {
      if (!user.unitCode) throw new ForbiddenError('账号未绑定责任单位，不能查看督办交办卡');
      if (unitCode !== undefined && unitCode !== user.unitCode) throw new ForbiddenError('只能查看本单位的督办交办卡');
    }
    const round = await loadRound(deps, roundId);
    const problems = await roundProblems(deps, roundId);
    const photos = await selectFirstPhotos(
      deps.db,
      problems.map((p) => p.ticketId),
    );
    const byUnit = new Map<string, RoundProblem[]>();
    for (const p of problems) byUnit.set(p.unit.code, [...(byUnit.get(p.unit.code) ?? []), p]);
    const order = [...catalog.units.map((u) => u.code), ...[...byUnit.keys()].filter((c) => !catalog.unit(c))];
    const all = order
      .filter((code) => byUnit.has(code))
      .map((code, i): SupervisionCard => {
        const list = byUnit.get(code)!;
        return {
          number: cardNumber(round, i + 1),
          issuer,
          round: { id: round.id, name: round.name, startsOn: round.startsOn, endsOn: round.endsOn, closed: round.status === 'closed' },
          unit: list[0]!.unit,
          problems: list.map((p) => {
            const photoId = photos.get(p.ticketId);
            return {
              trackingCode: p.trackingCode,
              pointName: p.point.name,
              pointAddress: p.point.address,
              standard: p.standard,
              found: p.note,
              photo: photoId ? { id: photoId, thumbUrl: deps.thumbUrl(photoId) } : null,
              deadlineOn: p.deadlineOn,
            };
          }),
          requirement: CARD_REQUIREMENT,
        };
      });
    const wanted = unitCode ?? (readsAllRounds(user) ? undefined : user.unitCode!);
    if (wanted === undefined) return all;
    const one = all.filter((c) => c.unit.code === wanted);
    if (one.length === 0 && unitCode !== undefined) {
      const name = catalog.unit(unitCode)?.name;
      throw new NotFoundError(name ? `${name}在本轮督导中没有发现问题，没有督办交办卡` : '没有这个单位');
    }
    return one;
  }

  return { cards };
}
