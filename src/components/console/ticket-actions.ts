// Which actions a person may take on a ticket now: read from the lifecycle table and the role's
// actor kind, the same two facts the server checks (server/tickets/lifecycle.ts,
// server/auth/roles.ts), so the console offers exactly what the server would accept.
import { actorKindOf, type Role } from '../../../server/auth/roles.ts';
import { ACTIONS, TRANSITIONS, type Action, type Status } from '../../../server/tickets/lifecycle.ts';

export function allowedActions(role: Role, status: Status): Action[] {
  const kind = actorKindOf(role);
  if (!kind) return [];
  return ACTIONS.filter((action) => {
    const rule = TRANSITIONS[action];
    return (rule.by as readonly string[]).includes(kind) && (rule.from as readonly Status[]).includes(status);
  });
}

/**
 * The action most people take next, opened first; the others are one click away. None while the
 * ticket waits for someone else (the office while a unit holds it): opening 改派 or 代为签收 there
 * would invite the exception as if it were the next step.
 */
const USUAL_NEXT: readonly Action[] = ['dispatch', 'accept', 'reportRectification', 'approveExtension', 'verify', 'reopen'];

export function usualNext(actions: readonly Action[]): Action | null {
  return USUAL_NEXT.find((a) => actions.includes(a)) ?? null;
}

/** What the panel says when the ticket waits for someone else and nothing is opened first. */
const WAITING_FOR: Partial<Record<Status, string>> = {
  dispatched: '工单已派给责任单位，正等单位签收。以下操作只在需要时使用。',
  accepted: '工单已签收，正等责任单位整改。以下操作只在需要时使用。',
  rectifying: '责任单位正在整改，整改完会反馈结果。以下操作只在需要时使用。',
};

export function waitingNote(status: Status): string {
  return WAITING_FOR[status] ?? '请选择要办理的事项。';
}

/** What the panel says when the user has nothing to do on the ticket in its status. */
export function nothingToDo(role: Role, status: Status): string {
  if (role === 'leader') return '您使用的是只读账号，可以查看，不能办理。';
  if (status === 'merged') return '这件工单已并入另一件工单一起办理，在这里不用再办理。';
  if (role === 'unit') {
    const unitWaits: Partial<Record<Status, string>> = {
      extension_requested: '延期申请已提交，正等创城办决定。决定之前，本单位在这里不用操作。',
      reported: '整改结果已反馈，正等创城办核验。核验没通过的会退回本单位。',
      closed: '这件工单已办结。',
    };
    return unitWaits[status] ?? '这件工单现在不用本单位办理。';
  }
  if (role === 'operator') return '工单正在办理中。办结或不予受理后，回访时发现问题仍在，可以在这里重新办理。';
  return '这件工单现在不用您办理。';
}

/** What the ticket page says after an action went through (`?done=`). */
export const DONE_MESSAGES: Record<Action, string> = {
  dispatch: '已派单。责任单位在工作台就能看到这件工单，登记了邮箱的还会收到邮件，登记了值班手机的还会收到短信。',
  reassign: '已改派。新的责任单位在工作台就能看到这件工单，登记了邮箱的还会收到邮件，登记了值班手机的还会收到短信。',
  accept: '已签收。请在整改期限内整改，完成后反馈整改结果。',
  acceptOnBehalf: '已代责任单位签收。单位在工作台能看到，登记了邮箱的还会收到邮件告知。',
  return: '已退单，工单回到创城办重新分派。',
  startRectification: '已开始整改。整改完成后，请反馈整改结果并附整改后照片。',
  requestExtension: '延期申请已提交，请等创城办决定。',
  approveExtension: '已批准延期，新的整改期限见下方。',
  refuseExtension: '已驳回延期申请，责任单位仍按原期限整改。',
  reportRectification: '整改结果已提交，请等创城办核验。',
  verify: '已核验销号，这件工单办结了。反映人是否已收到短信或邮件，见下方“通知记录”。',
  sendBack: '已退回责任单位重新整改。单位在工作台能看到退回理由，登记了邮箱的还会收到邮件。',
  reject: '已决定不予受理。',
  merge: '已并入另一件工单一起办理。',
  reopen: '已重新办理，工单回到待分派。',
};
