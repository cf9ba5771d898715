// Table types for Kysely. Only repositories (server/<domain>/*-repository.ts) see these; they
// return plain domain objects from explicit selects (DESIGN rule 4).
//
// Portable choices, the same on SQLite and PostgreSQL: timestamps are ISO-8601 UTC text
// ("2026-11-29T15:28:35.123Z", which sorts correctly as text), booleans are 0/1 integers,
// lists are JSON text. See docs/decisions/002-storage.md.
import type { ColumnType, Generated } from 'kysely';

/**
 * A keyed hash of an encrypted column for equality look-ups (migration 037): filled by the
 * personal-data plugin (server/db/personal-data.ts) on insert and update, so never written by hand.
 */
type LookupHash = ColumnType<string | null, string | null | undefined, string | null>;

export interface TicketTable {
  id: Generated<number>;
  tracking_code: string;
  status: string;
  channel: string;
  description: string;
  category_code: string | null;
  /** What the router suggested, kept even after the office changes it (routing learns from it). */
  suggested_category_code: string | null;
  suggested_unit_code: string | null;
  routing_confidence: number | null;
  lead_unit_code: string | null;
  /** JSON array of unit codes. */
  cooperating_unit_codes: string;
  point_id: string | null;
  location_address: string | null;
  location_lat: number | null;
  location_lng: number | null;
  deadline_at: string | null;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  merged_into_id: number | null;
  idempotency_key: string | null;
  /** Number of events so far; an event's seq is the version it produced. */
  version: number;
  dispatched_at: string | null;
  /** The unit must acknowledge (签收) by then. */
  acknowledge_due_at: string | null;
  /** When the unit itself acknowledged (签收); stays null when the office acknowledged for it (代为签收). */
  acknowledged_at: string | null;
  reminder_sent_at: string | null;
  /** When the unit was told it had not acknowledged in time (for the acknowledge_due_at then in force). */
  acknowledge_overdue_at: string | null;
  overdue_at: string | null;
  /** The dispatch (its dispatched_at) the units were last told of. */
  dispatch_notified_at: string | null;
  /** 交办意见: the office's remarks to the unit holding the ticket, from its latest dispatch or reassignment. */
  dispatch_remarks: string | null;
  /** 来源 (migration 021): resident, inspection, patrol, media, leader or npc_cppcc (server/tickets/ticket-source.ts). */
  source: Generated<string>;
  /** 督办 (migration 021): when a leader marked the ticket, who, and the 批示; all null when not marked. */
  supervised_at: string | null;
  supervised_by: number | null;
  supervision_instruction: string | null;
  /** Reports this ticket stands for (migration 024): its own, plus web "me too" joins and hotline "+1"s. */
  report_count: Generated<number>;
}

/** Private: who reported. Never selected by anything public. */
export interface TicketReporterTable {
  ticket_id: number;
  anonymous: number;
  name: string | null;
  phone: string | null;
  email: string | null;
  ip: string | null;
  user_agent: string | null;
  /** 1 when the reporter may be phoned back (回访); hotline callers say so, others with a phone number are. */
  wants_callback: Generated<number>;
  /** Set when the retention purge removed the personal data (server/privacy/purge.ts). */
  purged_at: string | null;
  /** Keyed hashes for look-ups (migration 037, server/db/personal-data.ts fills them). */
  phone_hash: LookupHash;
  phone_last4_hash: LookupHash;
  email_hash: LookupHash;
}

/** Private (migration 024): residents who joined a ticket with "我也遇到了". Never selected by anything public. */
export interface TicketSupporterTable {
  id: Generated<number>;
  ticket_id: number;
  at: string;
  /** 'web'. */
  channel: string;
  name: string | null;
  /** Digits only; null when not given or purged. */
  phone: string | null;
  ip: string | null;
  user_agent: string | null;
  idempotency_key: string | null;
  /** Set when the retention purge removed the personal data. */
  purged_at: string | null;
  phone_hash: LookupHash;
}

/**
 * An audit record's place in its table's hash chain (migration 035, server/audit/): NULL when the
 * row is inserted, set once by the worker's sealer; never written by an insert.
 */
export interface AuditChainColumns {
  chain_seq: ColumnType<number | null, never, number>;
  prev_hash: ColumnType<string | null, never, string>;
  row_hash: ColumnType<string | null, never, string>;
}

/** Each audited table's last sealed row (migration 035): the chain's end as the sealer left it. */
export interface AuditSealTable {
  table_name: string;
  last_seq: number;
  last_id: number;
  last_hash: string;
  sealed_at: string;
}

/** Append-only: rows are inserted, never updated (but for the sealing) or deleted; hash-chained. */
export interface TicketEventTable extends AuditChainColumns {
  id: Generated<number>;
  ticket_id: number;
  seq: number;
  at: string;
  actor_kind: string;
  actor_id: string | null;
  action: string;
  from_status: string | null;
  to_status: string;
  reason: string | null;
  /** JSON object with what the action changed (unit, deadline, category …). */
  data: string;
}

export interface PhotoTable {
  id: string;
  ticket_id: number | null;
  /** 'report' (resident's before-photo) or 'rectification' (unit's after-photo). */
  purpose: string;
  width: number;
  height: number;
  sha256: string;
  uploaded_at: string;
  position: number | null;
}

export interface UserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  role: string;
  unit_code: string | null;
  /** scrypt, see server/auth/password.ts. */
  password_hash: string;
  active: number;
  created_at: string;
  updated_at: string;
  /** 1: the password was chosen by an administrator and must be changed at the next sign-in (migration 033). */
  must_change_password: Generated<number>;
  password_changed_at: string | null;
  /** Base32 TOTP secret (server/auth/second-factor.ts); null when no second factor is enrolled. */
  totp_secret: string | null;
  /** The last TOTP time step accepted: a code is not accepted twice. PostgreSQL returns bigint as a string. */
  totp_last_step: number | string | null;
  totp_enrolled_at: string | null;
}

export interface SessionTable {
  /** SHA-256 of the cookie's token. */
  id: string;
  user_id: number;
  created_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
  /** When the session was last used (SESSION_IDLE_MINUTES, migration 033). */
  last_seen_at: string | null;
  /** 1: the password was right and the second factor's code is still awaited. */
  awaiting_code: Generated<number>;
}

/** The hashes of a user's last passwords, the current one included (migration 033). */
export interface PasswordHistoryTable {
  id: Generated<number>;
  user_id: number;
  password_hash: string;
  set_at: string;
}

/** One-time recovery codes of the second factor, hashed (migration 033). */
export interface RecoveryCodeTable {
  id: Generated<number>;
  user_id: number;
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

/** Account actions (server/auth/account-event-repository.ts: ACCOUNT_ACTIONS; migration 033). */
export interface AccountEventTable extends AuditChainColumns {
  id: Generated<number>;
  at: string;
  actor_user_id: number | null;
  subject_user_id: number | null;
  action: string;
  /** JSON object. */
  detail: string;
  /** The client's address and user agent, when done through a request (migration 039). */
  ip: string | null;
  user_agent: string | null;
}

/** One slice of a window: how often one client did a throttled action (server/throttle/). */
export interface ThrottleCountTable {
  scope: string;
  key: string;
  /** The slice: floor(epoch ms / a tenth of the window); PostgreSQL returns bigint as a string. */
  bucket: number | string;
  count: number;
  expires_at: string;
}

/** Notification mail waiting for, or past, delivery (server/notify/mail-outbox-repository.ts). */
export interface MailOutboxTable {
  id: Generated<number>;
  /** What the mail is about: 'dispatch', 'reminder', 'overdue', 'send-back', 'escalation', 'reporter-accepted' … */
  kind: string;
  ticket_id: number | null;
  unit_code: string | null;
  /** JSON array of addresses. */
  recipients: string;
  subject: string;
  text: string;
  html: string;
  /** RFC 5322 Message-ID ("<…@host>"), assigned at enqueue so replies can be threaded to it. */
  message_id: string;
  created_at: string;
  /** 'pending', 'sent' or 'failed' (gave up; the office sees it). */
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  sent_at: string | null;
  /** The mail server's answer on acceptance (or where the .eml file was written). */
  response: string | null;
  /** Of the first recipient's domain: the acknowledgements' per-domain cap counts by it. */
  recipient_domain_hash: LookupHash;
}

/** A text message waiting for, or past, delivery (server/notify/sms-outbox-repository.ts, migration 022). */
export interface SmsOutboxTable {
  id: Generated<number>;
  kind: string;
  /** 'reporter', 'unit' or 'lookup'. */
  audience: string;
  ticket_id: number | null;
  unit_code: string | null;
  /** Digits only; null once purged. */
  recipient: string | null;
  /** JSON object: the template's parameters. */
  params: string;
  /** The message as the recipient reads it. */
  text: string;
  urgent: number;
  created_at: string;
  /** 'pending', 'sent', 'failed' or 'skipped'. */
  status: string;
  attempts: number;
  next_attempt_at: string;
  claimed_until: string | null;
  last_error: string | null;
  /** Why a pending message waits without an attempt counted: 'quiet-hours', 'number-cap' or 'daily-budget'. */
  hold_reason: string | null;
  sent_at: string | null;
  response: string | null;
  recipient_hash: LookupHash;
}

/** A unit's duty phones (值班手机) the office set (migration 022): JSON array of numbers. */
export interface UnitDutyPhonesTable {
  unit_code: string;
  phones: string;
  updated_at: string;
  updated_by: number | null;
}

/** A unit escalated on the ladder 通报 → 约谈 → 问责 (server/escalation/, docs/decisions/004-escalation.md). */
export interface EscalationTable {
  id: Generated<number>;
  unit_code: string;
  /** The unit's escalations numbered 1, 2, 3 … (unique per unit, never reset). */
  seq: number;
  /** 1 通报 (notice), 2 约谈 (interview), 3 问责 (accountability). */
  level: number;
  at: string;
  /** JSON array of the ids of the tickets behind it. */
  ticket_ids: string;
  reason: string;
  /** The run of the ladder: CST date ("2026-12-07") of the run's first 通报. */
  period: string;
}

/** A unit's notification mailboxes as the office set them, replacing content/units.json's list. */
export interface UnitContactTable {
  unit_code: string;
  /** JSON array of addresses. */
  emails: string;
  updated_at: string;
  updated_by: number | null;
}

export interface Database {
  tickets: TicketTable;
  ticket_reporters: TicketReporterTable;
  ticket_events: TicketEventTable;
  photos: PhotoTable;
  users: UserTable;
  sessions: SessionTable;
  password_history: PasswordHistoryTable;
  recovery_codes: RecoveryCodeTable;
  account_events: AccountEventTable;
  unit_contacts: UnitContactTable;
  mail_outbox: MailOutboxTable;
  sms_outbox: SmsOutboxTable;
  unit_duty_phones: UnitDutyPhonesTable;
  escalations: EscalationTable;
  mail_messages: MailMessageTable;
  ticket_messages: TicketMessageTable;
  mailbox_status: MailboxStatusTable;
  calls: CallTable;
  follow_ups: FollowUpTable;
  ticket_closures: TicketClosureTable;
  closure_verdicts: ClosureVerdictTable;
  follow_up_links: FollowUpLinkTable;
  notices: NoticeTable;
  notice_tickets: NoticeTicketTable;
  notice_photos: NoticePhotoTable;
  notice_responses: NoticeResponseTable;
  site_builds: SiteBuildTable;
  throttle_counts: ThrottleCountTable;
  inspection_rounds: InspectionRoundTable;
  inspection_round_points: InspectionRoundPointTable;
  inspection_round_inspectors: InspectionRoundInspectorTable;
  inspection_results: InspectionResultTable;
  inspection_rechecks: InspectionRecheckTable;
  persuasion_actions: PersuasionActionTable;
  ticket_supporters: TicketSupporterTable;
  data_keys: DataKeyTable;
  phone_lookup_codes: PhoneLookupCodeTable;
  content_versions: ContentVersionTable;
  worker_leases: WorkerLeaseTable;
  audit_seals: AuditSealTable;
  backup_runs: BackupRunTable;
}

/** One backup taken and verified, or why it failed (server/backup/, migration 032). */
export interface BackupRunTable {
  id: Generated<number>;
  trigger: 'nightly' | 'manual';
  started_at: string;
  finished_at: string;
  dir: string;
  status: 'ok' | 'failed';
  /** Database file plus stored files, in bytes; null when it failed. */
  size_bytes: number | string | null;
  files: number | null;
  error: string | null;
}

/** One version of the office's content files, as every process reads it (server/content/, migration 030). */
export interface ContentVersionTable {
  id: Generated<number>;
  /** sha256 (hex) over the files' names and bytes (server/content/content-files.ts). */
  hash: string;
  /** JSON object: file name → the file's text. */
  files: string;
  loaded_at: string;
  /** Where the files came from, for the office: the folder and the host that loaded them. */
  source: string;
}

/** A one-time code a resident asked for to list their tickets by mobile number (server/phone-lookup/, migration 025). */
export interface PhoneLookupCodeTable {
  id: Generated<number>;
  /** Digits only. */
  phone: string;
  /** sha256(salt:phone:code), hex. */
  code_hash: string;
  salt: string;
  created_at: string;
  expires_at: string;
  /** Codes checked against it, the right one included. */
  tries: number;
  used_at: string | null;
  phone_hash: LookupHash;
}

/** A mail read from the dedicated mailbox and what it became (server/intake/mail/). */
export interface MailMessageTable {
  id: Generated<number>;
  /** RFC 5322 Message-ID; unique when present. */
  message_id: string | null;
  /** Unique: the dedupe key of a mail without a Message-ID. */
  content_hash: string;
  received_at: string;
  from_address: string | null;
  subject: string;
  /** 'created', 'appended', 'ignored' or 'quarantined'. */
  outcome: string;
  reason: string | null;
  ticket_id: number | null;
  /** The raw message under DATA_DIR/mail-raw/ (private, never served). */
  raw_path: string | null;
  /** JSON array of {name, type, size, photoId?, path?, refused?}. */
  attachments: string;
  /** Where it came from: "file:…" or "imap:<uid>". */
  source: string | null;
  /** Set when the office re-processed this quarantined mail (its dedupe keys are then released). */
  reprocessed_at: string | null;
  reprocessed_by: number | null;
  /** What the re-processing made of it ('created', …), once done. */
  reprocessed_outcome: string | null;
  reprocessed_ticket_id: number | null;
  /** Of the sender key (lower case, +tag removed): the per-sender cap counts by it. */
  from_hash: LookupHash;
}

/** How the worker's last reads of a mailbox went (server/intake/mail/mailbox-status.ts). */
export interface MailboxStatusTable {
  mailbox: string;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  consecutive_failures: Generated<number>;
  /** JSON of the last successful run's counts. */
  last_run: string | null;
  /** 'idle' (a worker listens with IMAP IDLE) or 'poll' (read once per worker pass). */
  mode: Generated<string>;
  mode_since: string | null;
}

/** A reply or bounce concerning a ticket, shown on the staff timeline. */
export interface TicketMessageTable {
  id: Generated<number>;
  ticket_id: number;
  mail_message_id: number | null;
  /** 'reply' or 'bounce'. */
  kind: string;
  at: string;
  from_address: string | null;
  from_name: string | null;
  subject: string;
  text: string;
  /** JSON array, as mail_messages.attachments. */
  attachments: string;
}

/** A call the hotline took, whatever it became (server/hotline/). */
export interface CallTable {
  id: Generated<number>;
  at: string;
  operator_id: number | null;
  operator_name: string | null;
  /** Digits only; null when withheld or purged. */
  caller_phone: string | null;
  caller_name: string | null;
  anonymous: number;
  wants_callback: number;
  /** 'ticket', 'attached', 'answered' or 'referred'. */
  outcome: string;
  ticket_id: number | null;
  summary: string;
  answer: string | null;
  referred_to: string | null;
  category_code: string | null;
  /** 'console' or 'import'. */
  source: string;
  external_id: string | null;
  idempotency_key: string | null;
  purged_at: string | null;
  caller_phone_hash: LookupHash;
  caller_phone_last4_hash: LookupHash;
}

/** A follow-up call (回访) after a ticket was closed. */
export interface FollowUpTable {
  id: Generated<number>;
  ticket_id: number;
  closed_at: string;
  created_at: string;
  /** 'pending' or 'done'. */
  status: string;
  attempts: Generated<number>;
  last_attempt_at: string | null;
  reached: number | null;
  fixed: number | null;
  /** 'satisfied', 'fair' or 'unsatisfied'. */
  satisfaction: string | null;
  comment: string | null;
  operator_id: number | null;
  completed_at: string | null;
  reopened: Generated<number>;
  unit_code: string | null;
  /** 'phone' (an operator's call) or 'online' (the reporter on the tracking page); migration 023. */
  channel: Generated<string>;
  /** When an online answer was last changed (changeable for 7 days after completed_at). */
  answer_changed_at: string | null;
}

/** A verified closure (销号) and what residents read of it (server/follow-ups/closures.ts, migration 023). */
export interface TicketClosureTable {
  ticket_id: number;
  closed_at: string;
  /** The rectification summary as the office approved it for the public tracking page. */
  public_summary: string;
  summary_edited_at: string | null;
  summary_edited_by: number | null;
}

/**
 * The rectification ledger's verdict on the report each strike-off (verify) accepted, kept once
 * made (migration 034, server/ledgers/closure-verdicts.ts): the statistics count these rows.
 */
export interface ClosureVerdictTable {
  ticket_id: number;
  verified_at: string;
  /** CST month of verified_at, "2026-11". */
  month: string;
  unit_code: string | null;
  /** 0/1. */
  on_time: number;
  /** 0/1: the ticket's first strike-off in `month`. */
  first_of_month: number;
  /** 0/1: the ticket's latest strike-off. */
  latest: number;
}

/** The one-time link to answer "fixed?" online, from the closing e-mail: the token's SHA-256 only. */
export interface FollowUpLinkTable {
  token_hash: string;
  ticket_id: number;
  closed_at: string;
  created_at: string;
}

/** An exposure notice (曝光), composed by the office from tickets (server/publish/). */
export interface NoticeTable {
  id: Generated<number>;
  /** The public page's address: /notices/<slug>/. */
  slug: string;
  title: string;
  body: string;
  unit_code: string;
  /** 'draft', 'published' or 'withdrawn'. */
  status: string;
  response_due_at: string;
  created_by: number | null;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  published_by: number | null;
  /** The last withdrawal: when, by whom, why (migration 015). */
  withdrawn_at: string | null;
  withdrawn_by: number | null;
  withdrawal_reason: string | null;
}

export interface NoticeTicketTable {
  notice_id: number;
  ticket_id: number;
}

/** A photo shown with a notice ('before'/'after') or a response ('after'): a photo pipeline id. */
export interface NoticePhotoTable {
  notice_id: number | null;
  response_id: number | null;
  photo_id: string;
  kind: string;
  position: number;
  /** Alternative text for screen readers (migration 013). */
  alt: string | null;
}

/** An exposed unit's public response (公开回应), reviewed by the office before it is published. */
export interface NoticeResponseTable {
  id: Generated<number>;
  notice_id: number;
  body: string;
  /** 'draft', 'submitted', 'returned' or 'published'. */
  status: string;
  author_id: number | null;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  reviewed_by: number | null;
  reviewed_at: string | null;
  review_note: string | null;
  published_at: string | null;
}

/** A build of the public site (ADR 006), and the publication requests it took in. */
export interface SiteBuildTable {
  id: Generated<number>;
  reason: string;
  requested_at: string;
  /** 'queued', 'building', 'live', 'failed' or 'superseded'. */
  status: string;
  started_at: string | null;
  finished_at: string | null;
  build_dir: string | null;
  pages: number | null;
  error: string | null;
  /** JSON: the content files the build read, path → [size, mtime ms] (server/publish/site-content.ts); set when claimed. */
  content_manifest: string | null;
  /** The tickets the build's snapshot counted: "<newest ticket id>@<latest updated_at>" (migration 026). */
  ticket_mark: string | null;
  /** The blob store key of the build's manifest (server/publish/site-store.ts), once it is live (migration 031). */
  manifest_key: string | null;
}

/** An inspection round (督导, migration 020): planned by the office, worked by its inspectors. */
export interface InspectionRoundTable {
  id: Generated<number>;
  name: string;
  /** China dates 'YYYY-MM-DD', both included. */
  starts_on: string;
  ends_on: string;
  /** 'open' or 'closed'. */
  status: string;
  created_by: number;
  created_at: string;
  closed_by: number | null;
  closed_at: string | null;
  bulletin_published_at: string | null;
}

export interface InspectionRoundPointTable {
  round_id: number;
  point_id: string;
  /** Walking order, from 1. */
  position: number;
}

export interface InspectionRoundInspectorTable {
  round_id: number;
  user_id: number;
}

/** One checklist item's result at a point in a round; a failed item's ticket. */
export interface InspectionResultTable {
  id: Generated<number>;
  round_id: number;
  point_id: string;
  item_code: string;
  /** 'pass' or 'fail'. */
  result: string;
  note: string | null;
  ticket_id: number | null;
  inspector_id: number;
  observed_at: string;
  recorded_at: string;
  idempotency_key: string;
}

/** 复查: a round's re-check of a problem an earlier round found. */
export interface InspectionRecheckTable {
  round_id: number;
  ticket_id: number;
  /** null (not yet), 'fixed' or 'not_fixed'. */
  result: string | null;
  note: string | null;
  /** 1: not fixed although reported fixed or closed (返工). */
  rework: Generated<number>;
  inspector_id: number | null;
  observed_at: string | null;
  recorded_at: string | null;
  idempotency_key: string | null;
}

/** 劝导 (migration 021): a patrol member's record of persuading people on the street; not a ticket. */
export interface PersuasionActionTable {
  id: Generated<number>;
  user_id: number;
  /** China date 'YYYY-MM-DD'. */
  done_on: string;
  place: string;
  point_id: string | null;
  /** A code of content/persuasion-kinds.json. */
  kind: string;
  people: number;
  note: string | null;
  recorded_at: string;
  idempotency_key: string;
}

/** A single-reader job's lease (migration 028): the worker holding it until expires_at does the job (server/worker/lease.ts). */
export interface WorkerLeaseTable {
  /** The job: 'mailbox', 'site-build'. */
  name: string;
  holder: string;
  acquired_at: string;
  expires_at: string;
}

/** The data keys the database was encrypted with (migration 037): an id and an HMAC of a constant, never the key. */
export interface DataKeyTable {
  id: string;
  key_check: string;
  added_at: string;
  retired_at: string | null;
}
