// What a resident is told once the report is committed (submitReport, every channel). Types only,
// so the report form may import them.
import type { UnitRef } from '../routing/suggestion.ts';

export interface SubmitResult {
  trackingCode: string;
  status: string;
  /** Chinese label of the status, e.g. "已受理". */
  statusLabel: string;
  unit: UnitRef | null;
  /** ISO timestamp; null while the ticket waits for triage. */
  deadline: string | null;
}
