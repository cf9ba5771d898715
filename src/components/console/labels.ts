// Chinese words the console shows for codes the back end keeps in English.
import { CHANNEL_LABELS } from '../../../server/intake/channels.ts';

export { CHANNEL_LABELS };

export const UNIT_KIND_LABELS: Record<string, string> = {
  office: '创城办',
  department: '县直部门',
  township: '乡镇',
  organisation: '群团组织',
};

export function channelLabel(channel: string): string {
  return (CHANNEL_LABELS as Readonly<Record<string, string>>)[channel] ?? channel;
}

export function percent(confidence: number | null): string {
  return confidence === null ? '' : `${Math.round(confidence * 100)}%`;
}
