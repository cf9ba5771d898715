// The life of a ticket as one table (DESIGN rule 7, DOMAIN.md "The life of a report"):
// every state, every action, which states an action may start from, where it leads and who
// may take it. Nothing else in the code decides whether a transition is allowed.
import { ConflictError } from '../errors.ts';

export const STATUSES = [
  'received', // 已受理: in the office's triage queue, no unit yet
  'dispatched', // 已派单: sent to the lead unit, waiting for it to acknowledge
  'accepted', // 已签收: the unit acknowledged (签收) or claimed it (认领); or the office recorded that for it (代为签收)
  'rectifying', // 整改中
  'extension_requested', // 延期申请中: the unit asked for more time, the office decides
  'reported', // 已反馈: the unit reported the rectification, the office verifies
  'closed', // 已办结: verified and struck off (销号)
  'returned', // 已退单: the unit says it is not theirs; back with the office
  'rejected', // 不予受理: not a campaign matter, or not actionable
  'merged', // 已合并: a duplicate, merged into another ticket
  'reopened', // 重新办理: closed or rejected, then found not fixed; back with the office
] as const;
export type Status = (typeof STATUSES)[number];

/** What residents read on the tracking page. */
export const STATUS_LABELS: Record<Status, string> = {
  received: '已受理，待分派',
  dispatched: '已转交责任单位',
  accepted: '责任单位已签收',
  rectifying: '整改中',
  extension_requested: '整改中（申请延期）',
  reported: '已整改，待核验',
  closed: '已办结',
  returned: '重新分派中',
  rejected: '不予受理',
  merged: '已合并办理',
  reopened: '重新办理中',
};

/**
 * Who took an action. `inspector` is the office's inspection group (督导组) recording what it found;
 * `patrol` a member of the citizen patrol group (创城社会巡访监督团) reporting on their rounds;
 * `leader` a county leader marking a ticket 督办 (server/staff/supervision.ts), which changes no state.
 */
export type ActorKind = 'resident' | 'system' | 'office' | 'unit' | 'operator' | 'inspector' | 'patrol' | 'leader';

interface TransitionRule {
  from: readonly Status[];
  to: Status;
  by: readonly ActorKind[];
  /** A reason is required (recorded in the event log and shown to the next person). */
  needsReason: boolean;
}

const openForOffice = ['received', 'returned', 'reopened'] as const;

export const TRANSITIONS = {
  /** Route to a lead unit: automatically at submit, or by the office from its queue. */
  dispatch: { from: openForOffice, to: 'dispatched', by: ['system', 'office', 'inspector'], needsReason: false },
  /** The office moves a ticket a unit has not finished to another unit. */
  reassign: { from: ['dispatched', 'accepted', 'rectifying'], to: 'dispatched', by: ['office'], needsReason: true },
  /** 签收 / 认领: the unit's own act — its acknowledgement is what the acknowledge-overdue check waits for. */
  accept: { from: ['dispatched'], to: 'accepted', by: ['unit'], needsReason: false },
  /**
   * 代为签收: the office records an acknowledgement the unit gave elsewhere (claimed at the review
   * meeting, signed a supervision card), with why — its own action, never the unit's 签收.
   */
  acceptOnBehalf: { from: ['dispatched'], to: 'accepted', by: ['office'], needsReason: true },
  /** 退单: wrongly routed, back to the office. */
  return: { from: ['dispatched', 'accepted'], to: 'returned', by: ['unit'], needsReason: true },
  startRectification: { from: ['accepted'], to: 'rectifying', by: ['unit'], needsReason: false },
  /** 延期. */
  requestExtension: { from: ['accepted', 'rectifying'], to: 'extension_requested', by: ['unit'], needsReason: true },
  approveExtension: { from: ['extension_requested'], to: 'rectifying', by: ['office'], needsReason: false },
  refuseExtension: { from: ['extension_requested'], to: 'rectifying', by: ['office'], needsReason: true },
  /** 反馈: rectification reported with evidence. */
  reportRectification: { from: ['accepted', 'rectifying'], to: 'reported', by: ['unit'], needsReason: false },
  /** 销号. */
  verify: { from: ['reported'], to: 'closed', by: ['office', 'inspector'], needsReason: false },
  /** 退回重新整改. */
  sendBack: { from: ['reported'], to: 'rectifying', by: ['office', 'inspector'], needsReason: true },
  reject: { from: openForOffice, to: 'rejected', by: ['office'], needsReason: true },
  merge: { from: [...openForOffice, 'dispatched'], to: 'merged', by: ['office'], needsReason: false },
  /** Found not fixed (a follow-up call, a new report, an inspection; the system: a reporter's online "not fixed"). */
  reopen: { from: ['closed', 'rejected'], to: 'reopened', by: ['office', 'operator', 'inspector', 'system'], needsReason: true },
} as const satisfies Record<string, TransitionRule>;

export type Action = keyof typeof TRANSITIONS;
export const ACTIONS = Object.keys(TRANSITIONS) as Action[];

/** States where the ticket waits for the office rather than a unit. */
export const OFFICE_QUEUE_STATUSES: readonly Status[] = openForOffice;
/**
 * States in which a unit owes the rectification, so its deadline runs (and can be overdue). A
 * ticket the unit has reported waits for the office; one in the office's queue has no unit
 * working on it, and its old deadline belonged to a dispatch that no longer holds.
 */
export const DEADLINE_RUNNING_STATUSES: readonly Status[] = ['dispatched', 'accepted', 'rectifying', 'extension_requested'];
/**
 * Events that are not transitions: a leader's 督办 and its lifting (server/staff/supervision.ts)
 * record a mark on the ticket and leave its state as it was; so does the office's edit of the
 * summary residents read of a closure (`editPublicSummary`, server/staff/closures.ts). Staff read them in the timeline; the
 * resident's tracking page does not show them.
 */
export const MARK_ACTIONS: readonly string[] = ['supervise', 'liftSupervision', 'editPublicSummary'];
/** States where nothing more is expected (reopen aside). */
export const TERMINAL_STATUSES: readonly Status[] = ['closed', 'rejected', 'merged'];

/** What the accepted state reads when the office acknowledged for the unit: not the unit's own 签收. */
const ACCEPTED_ON_BEHALF_LABEL = '创城办已代责任单位签收';

/**
 * The label of a state as it came about: "accepted" by the office on the unit's behalf (代为签收)
 * must not read as if the unit had acknowledged it.
 */
export function statusLabel(status: Status, acceptedOnBehalf = false): string {
  return status === 'accepted' && acceptedOnBehalf ? ACCEPTED_ON_BEHALF_LABEL : STATUS_LABELS[status];
}

const ACTOR_NAMES: Record<ActorKind, string> = {
  resident: '群众',
  system: '系统',
  office: '创城办',
  unit: '责任单位',
  operator: '热线话务员',
  inspector: '创城办督导员',
  patrol: '社会巡访监督员',
  leader: '县级领导',
};

/** Throws a ConflictError (in Chinese, for staff: who does it instead) unless `actor` may take `action` at all. */
export function assertActorMay(action: Action, actor: ActorKind): void {
  const rule: TransitionRule = TRANSITIONS[action];
  if (!rule.by.includes(actor)) {
    const who = rule.by
      .filter((k) => k !== 'system')
      .map((k) => ACTOR_NAMES[k])
      .join('或');
    const instead = action === 'accept' && actor === 'office' ? '；单位已用别的方式确认承办的，请用“代为签收”并写明理由' : '';
    throw new ConflictError(`${ACTION_LABELS[action]}只能由${who}办理${instead}。`);
  }
}

/** Throws a ConflictError (in Chinese, for staff) unless `actor` may take `action` from `from`. */
export function assertAllowed(from: Status, action: Action, actor: ActorKind): void {
  const rule: TransitionRule = TRANSITIONS[action];
  assertActorMay(action, actor);
  if (!rule.from.includes(from)) {
    throw new ConflictError(`这件工单现在是“${STATUS_LABELS[from]}”，不能${ACTION_LABELS[action]}。`);
  }
}

/** The state an action leads to, or a ConflictError (in Chinese, for staff) saying why not. */
export function nextStatus(from: Status, action: Action, actor: ActorKind, reason?: string | null): Status {
  const rule: TransitionRule = TRANSITIONS[action];
  assertAllowed(from, action, actor);
  if (rule.needsReason && !reason?.trim()) {
    throw new ConflictError(`${ACTION_LABELS[action]}需要填写理由`);
  }
  return rule.to;
}

export const ACTION_LABELS: Record<Action | 'submit', string> = {
  submit: '提交',
  dispatch: '派单',
  reassign: '改派',
  accept: '签收',
  acceptOnBehalf: '代为签收',
  return: '退单',
  startRectification: '开始整改',
  requestExtension: '申请延期',
  approveExtension: '批准延期',
  refuseExtension: '驳回延期',
  reportRectification: '反馈整改结果',
  verify: '核验销号',
  sendBack: '退回重新整改',
  reject: '不予受理',
  merge: '合并',
  reopen: '重新办理',
};
