// The guard of the ledger pages: signed out → the sign-in page; a role server/ledgers/
// ledger-access.ts refuses (hotline operators) → the console's refusal page (403); otherwise the
// ledgers as this user may read them (a unit's own rows). `loadLedger` is the whole start of a
// ledger page: the guard, its filter form read and validated (400 with the schema's messages),
// and the ledger read with it.
import type { z } from 'zod';
import type { StaffUser } from '../../../../server/auth/roles.ts';
import type { Ledgers } from '../../../../server/ledgers/ledgers.ts';
import { chinaDate } from '../../../../server/china-time.ts';
import { loginUrl } from '../console-access.ts';
import { readFilterForm, type FieldSpec, type FilterForm } from './ledger-form.ts';
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

/** What a ledger page needs of Astro's request (the `Astro` global). */
export interface LedgerRequest {
  locals: App.Locals;
  url: URL;
  response: { status?: number; headers: Headers };
}

export type LedgerView<F, R> =
  | { kind: 'redirect'; to: string }
  | {
      kind: 'page';
      user: StaffUser;
      isUnit: boolean;
      /** The unit's full name for unit staff, else empty. */
      unitName: string;
      /** The role may not read the ledgers: the console's refusal page. */
      denied: boolean;
      form: FilterForm<F>;
      /** The ledger read with the form's valid filter; null when denied or the filter is wrong. */
      result: { filter: F; data: R } | null;
    };

/** The guard, the filter form and the ledger read of one ledger page. */
export async function loadLedger<S extends z.ZodType, R>(
  astro: LedgerRequest,
  schema: S,
  spec: FieldSpec,
  read: (ledgers: Ledgers, filter: z.output<S>) => Promise<R>,
): Promise<LedgerView<z.output<S>, R>> {
  const { app, user: signedIn } = astro.locals;
  astro.response.headers.set('Cache-Control', 'no-store');
  const access = ledgerAccess(app, signedIn, astro.url);
  if (access.kind === 'redirect') return access;
  const { user } = access;
  const isUnit = user.role === 'unit';
  // A unit's own unit is forced by the server: the form has no unit field for unit staff.
  const form = readFilterForm(schema, astro.url.searchParams, spec, isUnit ? ['unitCode'] : []);
  let result: { filter: z.output<S>; data: R } | null = null;
  if (access.kind === 'forbidden') astro.response.status = 403;
  else if (form.filter === null) astro.response.status = 400;
  else result = { filter: form.filter, data: await read(access.ledgers, form.filter) };
  const unitName = user.unitCode ? (app.catalog.unit(user.unitCode)?.name ?? user.unitCode) : '';
  return { kind: 'page', user, isUnit, unitName, denied: access.kind === 'forbidden', form, result };
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
