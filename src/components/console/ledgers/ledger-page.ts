// The guard of the ledger pages: signed out → the sign-in page; a role server/ledgers/
// ledger-access.ts refuses (hotline operators) → the console's refusal page (403); otherwise the
// ledgers as this user may read them (a unit's own rows).
import type { StaffUser } from '../../../../server/auth/roles.ts';
import type { Ledgers } from '../../../../server/ledgers/ledgers.ts';
import { chinaDate } from '../../../../server/china-time.ts';
import { loginUrl } from '../console-access.ts';
import { isForbidden } from './ledger-nav.ts';

export type LedgerAccess =
  { kind: 'redirect'; to: string } | { kind: 'forbidden'; user: StaffUser } | { kind: 'ok'; user: StaffUser; ledgers: Ledgers };

export function ledgerAccess(app: App.Locals['app'], user: StaffUser | null, url: URL): LedgerAccess {
  if (!user) return { kind: 'redirect', to: loginUrl(url) };
  try {
    return { kind: 'ok', user, ledgers: app.ledgersFor(user) };
  } catch (error) {
    if (isForbidden(error)) return { kind: 'forbidden', user };
    throw error;
  }
}

/** "2026-11": the month of an instant in China Standard Time. */
export function chinaMonth(at: Date): string {
  return chinaDate(at).slice(0, 7);
}

/** The month before a "YYYY-MM" month. */
export function monthBefore(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** "2026年11月". */
export function monthTitle(month: string): string {
  const [y, m] = month.split('-');
  return `${y}年${Number(m)}月`;
}

/** "72.5%", or "—" when there is nothing to divide. */
export function rateText(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)}%`;
}
