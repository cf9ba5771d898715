// What the Astro pages may call on the back end. The HTTP host (server/http/) builds one
// PortalServices at start and hands it to Astro as `locals.app`, so on-demand pages use the same
// database connection and catalog as the API instead of a second copy bundled by Vite.
// Pages import only types from server/. Each type of a domain's answer lives in that domain;
// this file only assembles them, and only edges (http/, trpc/, app.ts, pages) import it.
import type { Catalog } from './catalog/types.ts';
import type { Accounts } from './auth/accounts.ts';
import type { StaffUser } from './auth/roles.ts';
import type { StaffCommands } from './staff/ticket-commands.ts';
import type { TicketQueries } from './staff/ticket-queries.ts';
import type { Ledgers } from './ledgers/ledgers.ts';
import type { UnitDirectory } from './units/unit-directory.ts';
import type { SmsConsole } from './notify/sms-console.ts';
import type { EscalationService } from './escalation/escalation-service.ts';
import type { MailIntake } from './intake/mail/mail-intake.ts';
import type { MailboxConsole } from './intake/mail/mailbox-console.ts';
import type { Hotline } from './hotline/hotline-service.ts';
import type { Publishing } from './publish/publishing.ts';
import type { BackupStatusService } from './backup/backup-status.ts';
import type { FollowUps } from './follow-ups/follow-ups.ts';
import type { OnlineAnswerResult } from './follow-ups/online-follow-ups.ts';
import type { Closures } from './staff/closures.ts';
import type { Notices } from './publish/notices.ts';
import type { SubmitResult } from './intake/submit-result.ts';
import type { JoinResult, NearbyProblem } from './intake/me-too.ts';
import type { UploadResult } from './media/photo-store.ts';
import type { RoutingSuggestion } from './routing/suggestion.ts';
import type { TrackResult } from './tickets/track-result.ts';
import type { PatrolReports } from './patrol/patrol-reports.ts';
import type { Persuasion } from './patrol/persuasion.ts';
import type { Findings } from './patrol/findings.ts';
import type { Supervision } from './staff/supervision.ts';
import type { Scoring } from './scoring/scoring.ts';
import type { Inspection } from './inspection/rounds.ts';
import type { InspectionReports } from './inspection/inspection-reports.ts';
import type { LookupCodeRequested, PhoneTickets } from './phone-lookup/phone-lookup.ts';

/** Who is asking: used for throttling and the private record, never shown publicly. */
export interface RequestContext {
  ip: string;
  userAgent?: string;
  /** False when the request comes from another site (Origin / Sec-Fetch-Site): no staff mutation then. */
  sameOrigin?: boolean;
  /** The staff session cookie's token, if any. */
  sessionToken?: string;
}

export interface PortalServices {
  catalog: Catalog;
  /** Validates raw input with reportInputSchema; throws InvalidInputError with Chinese field messages. */
  submitReport(raw: unknown, ctx: RequestContext): Promise<SubmitResult>;
  /** Throws NotFoundError for an unknown code, TooManyRequestsError when guessing is throttled. */
  trackReport(trackingCode: string, ctx: RequestContext): Promise<TrackResult>;
  suggestRoute(input: { text: string; category?: string; pointId?: string }): RoutingSuggestion;
  /** "我也遇到了" (server/intake/me-too.ts): open problems near what the resident is reporting, and joining one. Throttled per address. */
  meToo: {
    nearby(raw: unknown, ctx: RequestContext): Promise<NearbyProblem[]>;
    join(raw: unknown, ctx: RequestContext): Promise<JoinResult>;
  };
  /** Runs the photo pipeline on one uploaded file; throws UnsupportedContentError in Chinese. */
  uploadPhoto(bytes: Uint8Array, ctx: RequestContext, purpose?: 'report' | 'rectification'): Promise<UploadResult>;
  accounts: Accounts;
  /** Staff actions on tickets; every call checks the user's role and unit. */
  staff: StaffCommands & TicketQueries;
  /** The escalation ladder (通报/约谈/问责): recorded escalations and where each unit stands. */
  escalations: EscalationService;
  /** The three ledgers and the monthly report as this user may read them (server/ledgers/ledger-access.ts). */
  ledgersFor(user: StaffUser): Ledgers;
  /** Units with the notification mailboxes the office maintains. */
  units: UnitDirectory;
  /** The signed-in staff user of a request, or null. */
  userOf(ctx: RequestContext): Promise<StaffUser | null>;
  /** The dedicated mailbox's intake: `processMail(raw, source)` turns one raw message into a ticket, a reply, or a reasoned ignore/quarantine. */
  mail: MailIntake;
  /** The hotline: calls logged by operators, caller history, likely duplicates (server/hotline/). */
  hotline: Hotline;
  /** Follow-up calls (回访) after closure, and their results per unit. */
  followUps: FollowUps;
  /**
   * The reporter's "fixed?" answer online (网上回访) on a closed ticket, proved by the last four
   * phone digits or the closing e-mail's link; throttled per ticket and client address.
   */
  answerFollowUp(raw: unknown, ctx: RequestContext): Promise<OnlineAnswerResult>;
  /** The rectification summary residents read of a verified closure; the office edits it (server/staff/closures.ts). */
  closures: Closures;
  /** Rebuilds of the public site: requests and the builds' status (ADR 006). */
  publishing: Publishing;
  /** The backups' outcomes, for the console's system page (server/backup/). */
  backups: BackupStatusService;
  /** Exposure notices (曝光) and the units' public responses (公开回应): compose, publish, respond, review (server/publish/notices.ts). */
  notices: Notices;
  /** The mailbox's health, quarantined mail and its re-processing, for the office (console). */
  mailbox: MailboxConsole;
  /** The citizen patrol group's reports and persuasion tally, and the office's entry of others' findings (server/patrol/). */
  patrol: { reports: PatrolReports; persuasion: Persuasion; findings: Findings };
  /** 督办: leaders mark a ticket with an instruction, or lift the mark (server/staff/supervision.ts). */
  supervision: Supervision;
  /** How long personal data is kept after a ticket is finished (PERSONAL_DATA_RETENTION_DAYS): the privacy notice says so. */
  privacy: { retentionDays: number };
  /** What was told to whom by text message (通知记录), failed and skipped messages and their requeue (server/notify/sms-console.ts). */
  sms: SmsConsole;
  /** The units' scores (考核) by the county's rules in content/scoring.json: ranking per month or year, a unit's trend. */
  scores: Scoring;
  /** Inspection rounds (督导): planned and closed by the office, worked by the inspectors (server/inspection/). */
  inspection: Inspection;
  /** After an inspection round: supervision cards (督办交办卡, also .docx) and the bulletin (通报) with its public version (server/inspection/inspection-reports.ts). */
  inspectionReports: InspectionReports;
  /** A resident's tickets by mobile number: a one-time code by SMS (throttled), then the list once (server/phone-lookup/). */
  phoneLookup: {
    requestCode(phone: string, ctx: RequestContext): Promise<LookupCodeRequested>;
    listTickets(phone: string, code: string): Promise<PhoneTickets>;
  };
}
