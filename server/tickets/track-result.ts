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
}
