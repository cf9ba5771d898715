// Where a problem came from (来源, issue 14 item 5): a resident, the office's inspection group, the
// citizen patrol group, a media undercover visit, a county leader's inspection or an NPC/CPPCC
// inspection. Not the channel (how it reached the portal): a media finding the office enters comes
// by channel `inspection` with source `media` (migration 021 says why). Kept with the tickets: the
// queue, the ledgers and the monthly report read it alike.
import type { Channel } from './channels.ts';

export const SOURCES = ['resident', 'inspection', 'patrol', 'media', 'leader', 'npc_cppcc'] as const;
export type Source = (typeof SOURCES)[number];

export const SOURCE_LABELS: Readonly<Record<Source, string>> = {
  resident: '群众反映',
  inspection: '督导组检查',
  patrol: '巡访监督团',
  media: '媒体暗访',
  leader: '县级领导督导',
  npc_cppcc: '人大政协视察',
};

/** The sources whose findings the office enters itself (/console/findings). */
export const FINDING_SOURCES = ['media', 'leader', 'npc_cppcc'] as const satisfies readonly Source[];

/** A ticket's source when its submitter names none: what its channel implies. */
export function sourceOfChannel(channel: Channel): Source {
  switch (channel) {
    case 'web':
    case 'mail':
    case 'hotline':
      return 'resident';
    case 'inspection':
      return 'inspection';
    case 'patrol':
      return 'patrol';
  }
}

/** The label of a stored source; an unknown value is shown as it is. */
export function sourceLabel(source: string): string {
  return (SOURCE_LABELS as Record<string, string>)[source] ?? source;
}
