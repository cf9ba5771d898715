// The units as the office sees them: the catalog's units (content/units.json: names, codes,
// routing) with the notification mailboxes the office maintains in the console. An office
// change of a unit's mailboxes takes effect at once, without editing content/ or restarting.
import type { Kysely, Transaction } from 'kysely';
import { z } from '../validation.ts';
import type { Catalog, Unit } from '../catalog/types.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../errors.ts';
import type { StaffUser } from '../auth/roles.ts';
import {
  deleteUnitEmails,
  findUnitDutyPhones,
  findUnitEmails,
  saveUnitDutyPhones,
  saveUnitEmails,
  selectUnitDutyPhones,
  selectUnitEmails,
} from './unit-contact-repository.ts';

type Db = Kysely<Database> | Transaction<Database>;

export const unitEmailsSchema = z
  .array(
    z
      .string()
      .trim()
      .pipe(z.email({ error: '邮箱格式不正确' })),
  )
  .max(10, { error: '每个单位最多10个通知邮箱' });

export interface UnitEntry extends Unit {
  /** True when the office replaced the mailboxes of content/units.json. */
  emailsEdited: boolean;
  /** 值班手机: mobile numbers that get the unit's text messages (dispatch, reminder, overdue). */
  dutyPhones: string[];
}

/** Duty phones as the office types them: mainland mobile numbers, spaces and dashes allowed. */
export const unitDutyPhonesSchema = z
  .array(
    z
      .string()
      .transform((v) => v.replace(/[\s-]/g, ''))
      .pipe(z.string().regex(/^1[3-9]\d{9}$/, { error: '值班手机应为11位手机号码，例如13812345678' })),
  )
  .max(5, { error: '每个单位最多5个值班手机' });

export function createUnitDirectory({ db, catalog, clock }: { db: Kysely<Database>; catalog: Catalog; clock: Clock }) {
  function known(code: string): Unit {
    const unit = catalog.unit(code);
    if (!unit) throw new NotFoundError(`没有单位 ${code}`);
    return unit;
  }

  /** The addresses a unit's mail goes to now (read in the caller's transaction). */
  async function emailsOf(trx: Db, code: string): Promise<string[]> {
    return (await findUnitEmails(trx, code)) ?? catalog.unit(code)?.emails ?? [];
  }

  /** The duty phones a unit's text messages go to now (read in the caller's transaction). */
  async function dutyPhonesOf(trx: Db, code: string): Promise<string[]> {
    return findUnitDutyPhones(trx, code);
  }

  async function list(): Promise<UnitEntry[]> {
    const edited = await selectUnitEmails(db);
    const phones = await selectUnitDutyPhones(db);
    return catalog.units.map((u) => ({
      ...u,
      emails: edited.get(u.code) ?? u.emails,
      emailsEdited: edited.has(u.code),
      dutyPhones: phones.get(u.code) ?? [],
    }));
  }

  /** Replaces a unit's duty phones (administrators only); [] removes them. */
  async function setDutyPhones(user: StaffUser, code: string, phones: string[]): Promise<string[]> {
    if (user.role !== 'admin') throw new ForbiddenError('只有管理员可以修改单位的值班手机');
    known(code);
    const parsed = unitDutyPhonesSchema.safeParse(phones.filter((p) => p.trim() !== ''));
    if (!parsed.success) {
      const message = parsed.error.issues[0]?.message ?? '值班手机格式不正确';
      throw new InvalidInputError(message, { dutyPhones: message });
    }
    const unique = [...new Set(parsed.data)];
    await saveUnitDutyPhones(db, code, { phones: unique, at: clock.now().toISOString(), by: user.id });
    return unique;
  }

  /** Replaces a unit's mailboxes (administrators only); null restores content/units.json's list. */
  async function setEmails(user: StaffUser, code: string, emails: string[] | null): Promise<UnitEntry> {
    if (user.role !== 'admin') throw new ForbiddenError('只有管理员可以修改单位的通知邮箱');
    const unit = known(code);
    if (emails === null) {
      await deleteUnitEmails(db, code);
      return { ...unit, emailsEdited: false, dutyPhones: await findUnitDutyPhones(db, code) };
    }
    const parsed = unitEmailsSchema.safeParse(emails.filter((e) => e.trim() !== ''));
    if (!parsed.success) {
      const message = parsed.error.issues[0]?.message ?? '邮箱格式不正确';
      throw new InvalidInputError(message, { emails: message });
    }
    const unique = [...new Set(parsed.data)];
    await saveUnitEmails(db, code, { emails: unique, at: clock.now().toISOString(), by: user.id });
    return { ...unit, emails: unique, emailsEdited: true, dutyPhones: await findUnitDutyPhones(db, code) };
  }

  return { emailsOf, dutyPhonesOf, list, setEmails, setDutyPhones };
}

export type UnitDirectory = ReturnType<typeof createUnitDirectory>;
