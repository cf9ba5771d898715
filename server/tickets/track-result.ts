// The public view of one ticket as the tracking page shows it (track-report.ts builds it): no
// personal data (DESIGN rule 5). Types only, so the pages may import them.
import type { CategoryRef, UnitRef } from '../routing/suggestion.ts';

export interface TimelineEntry {
  at: string;
  /** Chinese sentence a resident understands, e.g. "已转交临城县住房和城乡建设局办理". */
  text: string;
  status: string;
  statusLabel: string;
}

export interface PublicPhoto {
  url: string;
  thumbUrl: string;
}

/**
 * What was done (issue 15 item 2), for a ticket closed by the office's verification only: the
 * rectification summary as the office approved it for residents, the unit's after-photos of its
 * last report, and the closing date.
 */
export interface ClosureOutcome {
  closedAt: string;
  summary: string;
  afterPhotos: PublicPhoto[];
}

/** The "fixed?" question (网上回访) on a closed ticket, as the page shows it. */
export type OnlineFollowUpState =
  /** Not answered yet: the form, with the last four digits (or only the e-mail link when no phone was given). */
  | { kind: 'open'; byPhoneDigits: boolean }
  /** Answered online; `changeableUntil` null when the 7 days have passed (read-only). */
  | {
      kind: 'answered';
      fixed: boolean;
      satisfaction: 'satisfied' | 'fair' | 'unsatisfied';
      answeredAt: string;
      changeableUntil: string | null;
      byPhoneDigits: boolean;
    }
  /** An operator's call recorded the answer. */
  | { kind: 'by-phone' }
  /** No phone and no e-mail was given: only the hotline can take the answer. */
  | { kind: 'no-contact' };

export interface TrackResult {
  trackingCode: string;
  status: string;
  statusLabel: string;
  category: CategoryRef | null;
  unit: UnitRef | null;
  deadline: string | null;
  createdAt: string;
  timeline: TimelineEntry[];
  photos: PublicPhoto[];
  /** Only when closed by verification. */
  outcome?: ClosureOutcome | null;
  /** Only when closed. */
  followUp?: OnlineFollowUpState | null;
}
