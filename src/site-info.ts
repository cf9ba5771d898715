// Contact details shown on every page. One place, so the office changes them once.
// The hotline number and mailbox are placeholders until the office confirms the real ones.
export const OFFICE_NAME = '临城县创建文明城市工作办公室';
export const OFFICE_SHORT_NAME = '临城县创城办';
export const SITE_NAME = '文明创城 市民随手拍';
export const HOTLINE = '0319-XXXXXXX';
export const HOTLINE_HOURS = '工作日 8:30–17:30';
export const MAILBOX = 'chuangcheng@lincheng.example';
