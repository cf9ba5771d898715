// Chinese words the console shows for codes the back end keeps in English.
export const CHANNEL_LABELS: Record<string, string> = {
  web: '网站',
  mail: '专用邮箱',
  hotline: '热线电话',
  patrol: '社会巡访',
  inspection: '督导检查',
};

export const UNIT_KIND_LABELS: Record<string, string> = {
  office: '创城办',
  department: '县直部门',
  township: '乡镇',
  organisation: '群团组织',
};

export function channelLabel(channel: string): string {
  return CHANNEL_LABELS[channel] ?? channel;
}

export function percent(confidence: number | null): string {
  return confidence === null ? '' : `${Math.round(confidence * 100)}%`;
}
