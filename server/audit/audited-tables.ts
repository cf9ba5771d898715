// The audit records (安全审计, issue 18 item 6; ADR 018): the tables whose rows are append-only
// and hash-chained — ticket events (migration 035) and account actions (036). Each needs the
// chain columns and triggers of a migration (server/db/migrations/audit-chain-guard.ts) and a
// line here, which the sealer, `audit:verify` and `audit:export` go through. Every one has an integer `id`, an ISO-8601 `at` and an `action`.

export interface AuditedTable {
  /** The table, as in server/db/schema.ts. */
  table: string;
  /** The kind of record, in the export's first column. */
  label: string;
  /** The columns naming who did it (joined with a colon in the export). */
  actor: readonly string[];
  /** The column naming what it was done to. */
  subject: string;
}

export const AUDITED_TABLES = [
  { table: 'ticket_events', label: '工单事件', actor: ['actor_kind', 'actor_id'], subject: 'ticket_id' },
  { table: 'account_events', label: '账号操作', actor: ['actor_user_id'], subject: 'subject_user_id' },
] as const satisfies readonly AuditedTable[];

export type AuditedTableName = (typeof AUDITED_TABLES)[number]['table'];
