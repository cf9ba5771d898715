// Who may read which ledger: the office and leaders read everything; unit staff read their own
// unit's rows only (the filter's unit is forced to theirs); the monthly report is the office's
// and the leaders'; hotline operators have no ledgers. The one place these rules live — the API
// and the download route both go through it.
import { ForbiddenError } from '../errors.ts';
import { isOffice, type StaffUser } from '../auth/roles.ts';
import type { Ledgers } from './ledgers.ts';

export function ledgersFor(ledgers: Ledgers, user: StaffUser): Ledgers {
  if (user.role === 'operator') throw new ForbiddenError('热线话务员账号不能查看台帐');
  const readsAll = isOffice(user) || user.role === 'leader';
  if (!readsAll && !user.unitCode) throw new ForbiddenError('账号未绑定责任单位，不能查看台帐');
  const scope = <F extends { unitCode?: string | undefined }>(filter: F): F =>
    readsAll ? filter : { ...filter, unitCode: user.unitCode! };
  const officeOnly = () => {
    if (!readsAll) throw new ForbiddenError('工作月报仅供创城办和领导查看');
  };
  return {
    points: (filter) => ledgers.points(scope(filter ?? {})),
    problems: (filter) => ledgers.problems(scope(filter ?? {})),
    rectifications: (filter) => ledgers.rectifications(scope(filter ?? {})),
    exportPoints: (filter, format) => ledgers.exportPoints(scope(filter), format),
    exportProblems: (filter, format) => ledgers.exportProblems(scope(filter), format),
    exportRectifications: (filter, format) => ledgers.exportRectifications(scope(filter), format),
    monthlyReport: async (month, options) => {
      officeOnly();
      return ledgers.monthlyReport(month, options);
    },
    exportMonthlyReport: async (month, options) => {
      officeOnly();
      return ledgers.exportMonthlyReport(month, options);
    },
  };
}
