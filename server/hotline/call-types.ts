// What the hotline answers with: a recorded call, a caller's history, likely duplicates and the
// recent calls list. Shared by the hotline's commands and queries and by the console islands.
import type { Status } from '../tickets/lifecycle.ts';

export type CallOutcome = 'ticket' | 'attached' | 'answered' | 'referred';

export interface LoggedCall {
  callId: number;
  outcome: CallOutcome;
  trackingCode: string | null;
  /** For a new ticket: where it went (null while it waits for the office's triage). */
  unit: { code: string; name: string } | null;
  statusLabel: string | null;
}

export interface CallerHistory {
  phone: string;
  tickets: Array<{
    trackingCode: string;
    status: Status;
    statusLabel: string;
    createdAt: string;
    description: string;
    category: string | null;
    unit: string | null;
  }>;
  calls: Array<{ at: string; outcome: CallOutcome; summary: string; trackingCode: string | null; operator: string | null }>;
}

export interface DuplicateCandidate {
  trackingCode: string;
  status: Status;
  statusLabel: string;
  description: string;
  category: string | null;
  pointName: string | null;
  address: string | null;
  createdAt: string;
  /** Why it is suggested: the same point, nearby (metres), or the same address. */
  reason: 'point' | 'nearby' | 'address';
  distanceMetres: number | null;
  /** Calls already added to it. */
  calls: number;
}

export interface RecentCall {
  id: number;
  at: string;
  outcome: CallOutcome;
  callerPhone: string | null;
  callerName: string | null;
  summary: string;
  trackingCode: string | null;
  referredTo: string | null;
  operator: string | null;
}

export interface ImportedCallMeta {
  /** When the call was taken (ISO-8601 UTC). */
  at: string;
  /** The phone system's id of the call. */
  externalId: string;
  /** The operator as the phone system names them. */
  operatorName: string | null;
}
