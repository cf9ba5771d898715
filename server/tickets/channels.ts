// The ways a report reaches the office, and the words residents and staff know them by. Kept with
// the tickets, not in a channel's folder: a ticket's channel is read by tracking, the ledgers and
// the public record alike (DESIGN rule 11).
export const CHANNELS = ['web', 'mail', 'hotline', 'patrol', 'inspection'] as const;
export type Channel = (typeof CHANNELS)[number];

export const CHANNEL_LABELS: Readonly<Record<Channel, string>> = {
  web: '网站',
  mail: '专用邮箱',
  hotline: '热线电话',
  patrol: '社会巡访',
  inspection: '督导检查',
};
