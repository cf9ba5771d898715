// The public version of the rounds' bulletins (通报), for the public snapshot (ADR 006; called by
// server/publish/public-projection.ts): only rounds whose bulletin the office published, and of
// each only named fields — the round's name and dates, failed items counted by unit and by
// category, the problems as point + standard + unit + rectified or not, the repeat problems with
// the earlier round's name. Never an inspector, a note typed at the point (it may name people), a
// tracking code, a point's responsible person, a reporter.
import type { PublicBulletin } from '../publish/public-snapshot.ts';
import { buildBulletin, bulletinSlug } from './bulletin.ts';
import type { RoundReportDeps } from './round-report.ts';
import { selectPublishedRounds } from './round-report-repository.ts';

const unitRef = (u: { code: string; name: string; shortName: string }) => ({ code: u.code, name: u.name, shortName: u.shortName });

export async function publicBulletins(deps: RoundReportDeps): Promise<PublicBulletin[]> {
  const rounds = await selectPublishedRounds(deps.db);
  const out: PublicBulletin[] = [];
  for (const round of rounds) {
    const b = await buildBulletin(deps, round);
    out.push({
      slug: bulletinSlug(round.id),
      title: `关于${round.name}情况的通报`,
      roundName: round.name,
      startsOn: round.startsOn,
      endsOn: round.endsOn,
      publishedAt: round.bulletinPublishedAt!,
      totals: { points: b.totals.points, itemsFailed: b.totals.itemsFailed, units: b.totals.units },
      byUnit: b.byUnit.map((u) => ({ ...unitRef(u.unit), failed: u.failed, rectified: u.rectified })),
      byCategory: b.byCategory.map((c) => ({ label: c.name, count: c.failed })),
      problems: b.problems.map((p) => ({ pointName: p.point.name, standard: p.standard, unit: unitRef(p.unit), rectified: p.rectified })),
      repeats: b.repeats.map((r) => ({
        pointName: r.pointName,
        standard: r.standard,
        unit: unitRef(r.unit),
        earlierRound: r.earlier.roundName,
      })),
    });
  }
  return out;
}
