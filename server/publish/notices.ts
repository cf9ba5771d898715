// Exposure notices (曝光) and the exposed units' public responses (公开回应), issue 6.
//
// The office (admin, dispatcher) composes a notice from one or more tickets: title, text, photos
// chosen from those tickets (before = the residents' 'report' photos, after = the units'
// 'rectification' photos, each with an alt text), the responsible unit (by default the tickets'
// lead unit) and a response deadline. It saves a draft, edits it, publishes it — the notice gets
// its public address, a slug "2026-12-001" (CST month of publication and a running number in
// that month, never reused) — and may withdraw it. Publishing and withdrawing queue a rebuild of
// the public site in the same transaction (requestBuild), so a notice is never published without
// its rebuild being asked for. A withdrawn notice can be edited and published again (same slug).
//
// Publishing takes the notice as saved; the console confirms first what goes public and passes
// the confirmed `version` (a fingerprint of the public content), and a notice changed since is
// not published. The exposed unit is told (mail, and its inbox lists notices awaiting its
// response); the office is told when a response is submitted, the unit when it is returned
// (notice-events.ts, observed by server/notify/notice-notifications.ts).
//
// Units see the published (and withdrawn) notices about themselves, never drafts. Their staff
// write one response per notice (text, after-photos uploaded through /api/uploads?purpose=
// rectification and referenced by id, each captioned by the unit before it is submitted), save
// it and submit it; the office publishes it (a rebuild again) or returns it with a note, and
// the unit edits and submits again. A published response is final. Leaders read everything and change nothing; hotline operators have no notices.
//
// Response overdue: a published notice whose response deadline has passed with no published
// response. The public site shows it (public-projection.ts); the console lists it.
//
// Exposed three or more times in a row (DOMAIN.md: accountability for inaction, 问责): a unit's
// published notices (withdrawn ones do not count), ordered by publication, form runs; a run
// breaks when more than ESCALATION_RESET_DAYS (90 by default, the escalation ladder's reset
// setting) pass between one notice and the next, and the current run has ended when that long
// has passed since its last notice. A unit whose current run holds three or more notices is
// flagged for the office (`flaggedUnits`). The rule mirrors the escalation ladder's restart.
import { createNoticeCommands } from './notice-commands.ts';
import { createNoticeContext, type NoticeDeps } from './notice-context.ts';
import { createNoticeQueries } from './notice-queries.ts';
import { createNoticeResponses } from './notice-responses.ts';

export type { NoticeDetail } from './notice-queries.ts';

export function createNotices(deps: NoticeDeps) {
  const ctx = createNoticeContext(deps);
  const queries = createNoticeQueries(ctx);
  return {
    list: queries.list,
    get: queries.detail,
    flaggedUnits: queries.flaggedUnits,
    awaiting: queries.awaiting,
    ...createNoticeCommands(ctx, queries),
    ...createNoticeResponses(ctx, queries),
  };
}

export type Notices = ReturnType<typeof createNotices>;
