// The ticket page's action forms as data: for each lifecycle action, what its button and its
// submit button say, which fields the form shows (in order), what they start with, and how what
// was typed becomes the act sent to staff.tickets.act (every action goes through that one
// procedure, checked first with the one schema of staff actions). TicketActions.tsx renders it.
import type { Role } from '../../../server/auth/roles.ts';
import type { Action, Status } from '../../../server/tickets/lifecycle.ts';
import type { PhotoItem } from '../report/PhotoUploads.tsx';
import { chinaDateInput, endOfChinaDay } from './time.ts';

export interface UnitOption {
  code: string;
  name: string;
  shortName: string;
  kind: string;
}

export interface DispatchSuggestion {
  unitCode: string;
  categoryCode: string | null;
  cooperatingUnitCodes: string[];
  /** Chinese sentence saying where the suggestion comes from. */
  source: string;
}

/** What the ticket page tells the panel about the ticket and the person. */
export interface TicketActionsProps {
  trackingCode: string;
  version: number;
  status: Status;
  role: Role;
  units: UnitOption[];
  categories: Array<{ code: string; label: string }>;
  current: { unitCode: string | null; categoryCode: string | null; cooperatingUnitCodes: string[]; deadlineAt: string | null };
  suggestion: DispatchSuggestion | null;
  /** The unit that returned the ticket named the unit it believes responsible. */
  returnHint: { unitCode: string; reason: string } | null;
  extensionRequest: { requestedDeadlineAt: string | null; reason: string } | null;
  maxPhotos: number;
}

export type Values = Record<string, string>;
export type Errors = Record<string, string>;

/** A part of a form; each is drawn by TicketActions.tsx. */
export type FormPart =
  /** Lead unit, category, cooperating units and 交办意见, with the system's suggestion and a returning unit's hint. */
  | 'routing'
  | 'intoTrackingCode'
  | 'suggestedUnitCode'
  | 'requestedDeadline'
  /** The unit's request as it stands, to decide on it. */
  | 'extensionRequest'
  | 'deadline'
  /** What was done, the photos after, or why there are none. */
  | 'rectification'
  | 'note'
  | 'reason';

/** What the form holds besides its text fields. */
export interface FormState {
  values: Values;
  cooperating: string[];
  photos: PhotoItem[];
}

export interface ActionFormSpec {
  /** The choice button's text, when not the action's name (ACTION_LABELS). */
  choice?: string;
  /** The submit button's text: it says what is confirmed. */
  submit: string;
  /** A sentence above the fields saying what the action means. */
  intro?: string;
  parts: readonly FormPart[];
  reason?: { label: string; hint?: string };
  initial?: (p: TicketActionsProps) => { values: Values; cooperating?: string[] };
  /** The act's fields (without `action`) from what the form holds. */
  input: (form: FormState) => Record<string, unknown>;
  /** A refusal found before anything is sent (a field left empty, photos still uploading). */
  precheck?: (form: FormState) => Errors | null;
}

const reasonOnly = ({ values }: FormState) => ({ reason: values['reason'] ?? '' });
const nothing = () => ({});

function routingInput({ values, cooperating }: FormState) {
  return {
    unitCode: values['unitCode'] ?? '',
    categoryCode: values['categoryCode'] || null,
    cooperatingUnitCodes: cooperating.filter((c) => c !== values['unitCode']),
    remarks: values['remarks'] ?? '',
  };
}

function rectificationInput({ values, photos }: FormState) {
  const photoIds = photos.flatMap((ph) => (ph.photo ? [ph.photo.id] : []));
  const noPhoto = photoIds.length === 0 && values['noPhoto'] === 'yes';
  return { text: values['text'] ?? '', photoIds, ...(noPhoto && { noPhotoReason: values['noPhotoReason'] ?? '' }) };
}

function photosSettled({ photos }: FormState): Errors | null {
  if (photos.some((ph) => ph.state === 'queued' || ph.state === 'uploading')) return { photoIds: '照片还在上传，请等上传完成后再提交。' };
  if (photos.some((ph) => ph.state === 'error')) return { photoIds: '有照片没有上传成功，请点“重试”或“删除”后再提交。' };
  return null;
}

const DEFAULT_REASON_HINT = '理由会记入办理经过，下一位办理人能看到。';

export const ACTION_FORMS: Record<Action, ActionFormSpec> = {
  dispatch: {
    submit: '确认派单',
    parts: ['routing'],
    initial: (p) => ({
      values: {
        unitCode: p.suggestion?.unitCode ?? p.returnHint?.unitCode ?? '',
        categoryCode: p.suggestion?.categoryCode ?? p.current.categoryCode ?? '',
      },
      cooperating: p.suggestion?.cooperatingUnitCodes ?? [],
    }),
    input: routingInput,
  },
  reassign: {
    submit: '确认改派',
    parts: ['routing', 'reason'],
    reason: { label: '改派理由' },
    initial: (p) => ({
      values: { unitCode: '', categoryCode: p.current.categoryCode ?? '', reason: '' },
      cooperating: p.current.cooperatingUnitCodes,
    }),
    input: (form) => ({ ...routingInput(form), reason: form.values['reason'] ?? '' }),
  },
  accept: { choice: '签收', submit: '确认签收', intro: '签收表示本单位确认负责办理这件问题。', parts: [], input: nothing },
  acceptOnBehalf: {
    submit: '确认代为签收',
    intro:
      '签收应由责任单位在工作台办理。只有单位已用别的方式确认承办（比如在视频点评会上当场认领、在督办交办卡上签字），又没法在工作台签收时，才由创城办代为签收。代为签收以创城办的名义记入办理经过，并邮件告知该单位；群众查询时看到的是“创城办已代责任单位签收”。',
    parts: ['reason'],
    reason: { label: '代为签收的理由', hint: '写明单位在什么时候、用什么方式确认承办，例如“12月3日视频点评会上当场认领”。' },
    input: reasonOnly,
  },
  return: {
    choice: '退单',
    submit: '确认退单',
    parts: ['suggestedUnitCode', 'reason'],
    reason: { label: '退单理由' },
    input: ({ values }) => ({ reason: values['reason'] ?? '', suggestedUnitCode: values['suggestedUnitCode'] || null }),
  },
  startRectification: { submit: '确认开始整改', intro: '告诉创城办和群众：本单位已开始整改。', parts: [], input: nothing },
  requestExtension: {
    submit: '提交延期申请',
    parts: ['requestedDeadline', 'reason'],
    reason: { label: '延期理由' },
    input: ({ values }) => ({
      reason: values['reason'] ?? '',
      requestedDeadline: values['requestedDeadline'] ? endOfChinaDay(values['requestedDeadline']) : '',
    }),
    precheck: ({ values }) => (values['requestedDeadline'] ? null : { requestedDeadline: '请选择申请延至的日期' }),
  },
  approveExtension: {
    submit: '批准延期申请',
    parts: ['extensionRequest', 'deadline'],
    initial: (p) => ({
      values: { deadline: p.extensionRequest?.requestedDeadlineAt ? chinaDateInput(p.extensionRequest.requestedDeadlineAt) : '' },
    }),
    input: ({ values }) => (values['deadline'] ? { deadline: endOfChinaDay(values['deadline']) } : {}),
  },
  refuseExtension: {
    submit: '驳回延期申请',
    parts: ['extensionRequest', 'reason'],
    reason: { label: '驳回理由' },
    input: reasonOnly,
  },
  reportRectification: {
    choice: '反馈整改结果',
    submit: '提交整改结果',
    parts: ['rectification'],
    input: rectificationInput,
    precheck: photosSettled,
  },
  verify: {
    choice: '核验销号',
    submit: '核验通过，销号',
    parts: ['note'],
    input: ({ values }) => (values['note']?.trim() ? { note: values['note'] } : {}),
  },
  sendBack: { submit: '退回重新整改', parts: ['reason'], reason: { label: '退回理由' }, input: reasonOnly },
  reject: { submit: '确认不予受理', parts: ['reason'], reason: { label: '不予受理的理由' }, input: reasonOnly },
  merge: {
    submit: '确认合并',
    parts: ['intoTrackingCode'],
    input: ({ values }) => ({ intoTrackingCode: values['intoTrackingCode'] ?? '' }),
  },
  reopen: { submit: '确认重新办理', parts: ['reason'], reason: { label: '重新办理的理由' }, input: reasonOnly },
};

export function reasonHint(spec: ActionFormSpec): string {
  return spec.reason?.hint ?? DEFAULT_REASON_HINT;
}
