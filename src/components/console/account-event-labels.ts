// The account actions (server/auth/account-event-repository.ts) in the words the console's
// 账号操作记录 shows: what happened, and its details in a line. The record keeps codes; these are
// only their names.
import { ROLE_LABELS, type Role } from '../../../server/auth/roles.ts';

export const ACCOUNT_ACTION_LABELS: Readonly<Record<string, string>> = {
  'signed-in': '登录成功',
  'sign-in-password-accepted': '密码正确，待输入动态验证码',
  'sign-in-failed': '登录失败',
  'sign-in-locked': '连续失败，暂停登录',
  'signed-out': '退出登录',
  'session-expired': '登录已过期',
  'password-reset': '管理员重置密码',
  'password-changed': '本人修改密码',
  'second-factor-enrolled': '启用两步验证',
  'second-factor-reset': '重置两步验证',
  'recovery-code-used': '使用恢复码',
  'account-created': '创建账号',
  'role-changed': '更改角色或单位',
  'display-name-changed': '更改姓名',
  'account-disabled': '停用账号',
  'account-enabled': '启用账号',
  exported: '导出数据',
};

const FAILURE_REASONS: Readonly<Record<string, string>> = {
  'unknown-user': '用户名不存在（不记录所填内容）',
  'wrong-password': '密码错误',
  'account-disabled': '账号已停用',
  'wrong-code': '动态验证码错误',
  'wrong-current-password': '修改密码时当前密码错误',
};

const EXPIRY_REASONS: Readonly<Record<string, string>> = {
  idle: '长时间未操作',
  absolute: '超过最长登录时间',
  'code-step': '未在限定时间内输入动态验证码',
};

const FACTORS: Readonly<Record<string, string>> = { password: '密码', totp: '动态验证码', 'recovery-code': '恢复码' };

const STEPS: Readonly<Record<string, string>> = { password: '须先修改密码', enrol: '须先启用两步验证' };

const EXPORT_KINDS: Readonly<Record<string, string>> = {
  'ledger-points': '点位台账',
  'ledger-problems': '问题台账',
  'ledger-rectifications': '整改台账',
  'monthly-report': '月度报表',
  'supervision-cards': '督办交办卡',
  'audit-records': '审计记录',
  backup: '数据备份',
};

const str = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

function scopeValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? '是' : '否';
  return typeof value === 'object' ? JSON.stringify(value) : str(value);
}

function roleText(value: unknown, unitName: (code: string) => string): string {
  const { role, unitCode } = (value ?? {}) as { role?: string; unitCode?: string | null };
  const label = (role && ROLE_LABELS[role as Role]) || str(role);
  return unitCode ? `${label}（${unitName(unitCode)}）` : label;
}

/** The event's details in one line of Chinese ('' when there is nothing more to say). */
export function accountEventDetail(action: string, detail: Record<string, unknown>, unitName: (code: string) => string): string {
  const via = detail['via'] === 'command-line' ? `服务器命令行${detail['osUser'] ? `（系统用户 ${str(detail['osUser'])}）` : ''}` : '';
  switch (action) {
    case 'signed-in': {
      const factors = Array.isArray(detail['factors']) ? detail['factors'].map((f) => FACTORS[str(f)] ?? str(f)) : [];
      const step = STEPS[str(detail['step'])];
      return [factors.length > 0 ? `凭${factors.join('和')}` : '', step ?? ''].filter(Boolean).join('；');
    }
    case 'sign-in-failed':
      return FAILURE_REASONS[str(detail['reason'])] ?? str(detail['reason']);
    case 'sign-in-locked':
      return `${detail['scope'] === 'address' ? '同一地址' : '同一账号'} ${str(detail['windowMinutes'])} 分钟内失败 ${str(detail['failures'])} 次`;
    case 'session-expired':
      return EXPIRY_REASONS[str(detail['reason'])] ?? '';
    case 'recovery-code-used':
      return `剩余 ${str(detail['remaining'])} 个恢复码`;
    case 'password-reset':
      return [detail['temporary'] ? '临时密码，本人下次登录须修改' : '', via].filter(Boolean).join('；');
    case 'account-created':
      return [roleText(detail, unitName), via].filter(Boolean).join('；');
    case 'role-changed':
      return `${roleText(detail['from'], unitName)} → ${roleText(detail['to'], unitName)}`;
    case 'exported': {
      const range = detail['from'] || detail['to'] ? `${str(detail['from']) || '…'} 至 ${str(detail['to']) || '…'}` : '';
      const scope = detail['scope'] && typeof detail['scope'] === 'object' ? (detail['scope'] as Record<string, unknown>) : {};
      const parts = Object.entries(scope).map(([key, value]) => `${key}=${scopeValue(value)}`);
      const kind = EXPORT_KINDS[str(detail['kind'])] ?? str(detail['kind']);
      return [`${kind}（${str(detail['format'])}）`, range, parts.join('，'), via].filter(Boolean).join('；');
    }
    default:
      return via;
  }
}
