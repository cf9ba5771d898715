// @ts-check
// Temporary exceptions to the house rules of eslint.config.mjs (ADR 007): today's breaches, named
// file by file so each rule is strict for everything else. Each list must become empty (issue 13)
// and is then deleted with its use. tests/unit/lint-pending-lists.test.ts fails when an entry is
// no longer needed, so the lists only shrink.

/**
 * Files that still build queries outside a repository. Their SQL is being moved into
 * `*-repository.ts` files (issue 13 item 2); remove each file from this list as it moves.
 */
export const PENDING_REPOSITORY_MOVES = [
  'server/auth/accounts.ts',
  'server/hotline/follow-ups.ts',
  'server/hotline/hotline-service.ts',
  'server/intake/mail/acknowledgement.ts',
  'server/intake/mail/mail-intake.ts',
  'server/intake/mail/mailbox-console.ts',
  'server/intake/mail/mailbox-status.ts',
  'server/notify/deadline-notifications.ts',
  'server/notify/mail-outbox.ts',
  'server/notify/ticket-facts.ts',
  'server/notify/ticket-notifications.ts',
  'server/privacy/purge.ts',
  'server/publish/notice-commands.ts',
  'server/publish/notice-queries.ts',
  'server/publish/notice-responses.ts',
  'server/publish/public-projection.ts',
  'server/publish/publishing.ts',
  'server/publish/site-publisher.ts',
  'server/staff/ticket-commands.ts',
  'server/staff/ticket-queries.ts',
  'server/units/unit-directory.ts',
  'server/worker/housekeeping.ts',
];

/**
 * Domain files that still import what every channel shares from a channel's folder (channel
 * labels, phone masking, follow-ups, fieldErrors — DESIGN rule 11). Those pieces are moving
 * down into the domain; remove each file from this list when its import points down.
 */
export const PENDING_CHANNEL_MOVES = [
  'server/ledgers/ledger-labels.ts', // intake/channels.ts
  'server/ledgers/monthly-report.ts', // hotline/follow-ups.ts
  'server/publish/notice-context.ts', // intake/report-schema.ts fieldErrors
  'server/publish/public-projection.ts', // intake/channels.ts
  'server/staff/ticket-commands.ts', // intake/report-schema.ts fieldErrors
  'server/staff/ticket-queries.ts', // hotline/phone.ts
  'server/tickets/track-report.ts', // intake/channels.ts
];

/**
 * Domain files that still import their own result types from app-services.ts, which imports them
 * back (issue 13 item 3 moves each type into its domain). Also the only exception of
 * tests/unit/server-import-cycles.test.ts to "no import cycle in server/".
 */
export const PENDING_DOMAIN_TYPES = [
  'server/hotline/hotline-service.ts',
  'server/intake/mail/mail-intake.ts',
  'server/intake/submit-report.ts',
  'server/routing/router.ts',
  'server/tickets/track-report.ts',
];
