// Issue 18 item 7 (个人信息保护, ADR 019), the Done-when: after reports through all three
// channels — the web form, the mailbox and the hotline — and a lookup by phone, no phone number,
// name or e-mail address of a reporter or caller is in clear in the SQLite files (database and
// WAL, read before a checkpoint) nor in a `pg_dump`, nor in any file of DATA_DIR (the kept raw
// mail and its attachment included; only keys/ is left out, it holds the key); the caller's history and the lookup by phone
// still work, and staff still read the plain values.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../server/auth/roles.ts';
import { appRouter } from '../../server/trpc/app-router.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaff } from '../support/staff-accounts.ts';
import { staffUser } from '../support/ticket-factory.ts';
import { lookupCodesSentTo } from '../support/sms-codes.ts';

const kinds = await databaseKinds();
const OUR_MX = 'mx.lincheng.example';

/** Values that appear nowhere else: found in a file only if stored in clear. */
const WEB = { name: '甄网表', phone: '13911220001', email: 'zhen.webform.secret@qq.example' };
const MAIL = { name: '甄来信', email: 'zhen.mailbox.secret@163.example' };
const CALL = { name: '甄来电', phone: '13911220003' };

function mailFrom(name: string, address: string, text: string): Buffer {
  return Buffer.from(
    [
      `Authentication-Results: ${OUR_MX}; dmarc=pass (p=none) header.from=163.example`,
      `From: =?UTF-8?B?${Buffer.from(name).toString('base64')}?= <${address}>`,
      'To: chuangcheng@lincheng.example',
      `Subject: =?UTF-8?B?${Buffer.from('路灯不亮').toString('base64')}?=`,
      'Date: Mon, 30 Nov 2026 10:00:00 +0800',
      `Message-ID: <at-rest-${Date.now()}@163.example>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="at-rest"',
      '',
      '--at-rest',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(text).toString('base64'),
      '--at-rest',
      // A document kept as an attachment, signed with the sender's name and address in clear.
      'Content-Type: text/plain; charset=utf-8; name="qingkuang.txt"',
      'Content-Disposition: attachment; filename="qingkuang.txt"',
      'Content-Transfer-Encoding: 8bit',
      '',
      `情况说明。反映人：${name}，邮箱 ${address}`,
      '--at-rest--',
      '',
    ].join('\r\n'),
  );
}

/** The secrets (UTF-8 bytes, phones as digit strings) found in `bytes`. */
function secretsIn(bytes: Buffer): string[] {
  const secrets = [WEB.name, WEB.phone, WEB.email, MAIL.name, MAIL.email, CALL.name, CALL.phone];
  return secrets.filter((s) => bytes.includes(Buffer.from(s, 'utf8')));
}

describe.each(kinds)('personal data at rest on %s', (kind) => {
  let t: TestPortal;
  let users: Record<string, StaffUser> = {};
  const as = (name: string) =>
    appRouter.createCaller({ app: t.portal.services, request: { ip: '10.0.0.2', sameOrigin: true }, user: users[name] ?? null });
  const codes: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestPortal(kind, undefined, undefined, { mailLimits: { trustedAuthservIds: [OUR_MX] } });
    users = await createStaff(t, [['operator', 'operator']]);
    const web = await t.caller().report.submit({ description: '人民路与解放街交叉口的垃圾桶已经满了三天没人清运', reporter: WEB });
    codes['web'] = web.trackingCode;
    const mail = await t.portal.services.mail.processMail(mailFrom(MAIL.name, MAIL.email, '建设路北段的路灯一整排都不亮，晚上很黑。'), {
      file: 'at-rest.eml',
    });
    expect(mail.outcome).toBe('created');
    // The document was kept as a file (not listed only), so the search below has it to look in.
    const kept = await t.portal.database.db.selectFrom('mail_messages').select(['raw_path', 'attachments']).executeTakeFirstOrThrow();
    expect(kept.raw_path).toMatch(/^mail-raw\//);
    expect(kept.attachments).toMatch(/"path":"mail-attachments\//);
    codes['mail'] = mail.trackingCode!;
    const call = await as('operator').staff.hotline.logCall({
      idempotencyKey: `at-rest-${kind}`,
      caller: { phone: CALL.phone, name: CALL.name, anonymous: false, wantsCallback: true },
      outcome: 'ticket',
      description: '西关集贸市场门口垃圾堆成山，好几天没人清理',
      pointId: 'market-xiguan',
    });
    codes['call'] = call.trackingCode!;
    // A lookup by phone: a code row and an SMS to the number.
    await t.caller({ ip: '198.51.100.9' }).lookup.requestCode({ phone: WEB.phone });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps caller history, lookup by phone and the staff view working on the encrypted values', async () => {
    const history = await as('operator').staff.hotline.history({ phone: CALL.phone });
    expect(history.tickets.map((x) => x.trackingCode)).toContain(codes['call']);
    expect(history.calls.map((c) => c.trackingCode)).toContain(codes['call']);
    // The console's search by the last four digits, and by the whole number.
    for (const phone of [CALL.phone.slice(-4), CALL.phone]) {
      const found = await as('operator').staff.hotline.calls({ phone });
      expect(found.map((c) => [c.trackingCode, c.callerName])).toEqual([[codes['call'], CALL.name]]);
    }

    const [sms] = await lookupCodesSentTo(t.portal.database.db, WEB.phone);
    const list = await t.caller({ ip: '198.51.100.9' }).lookup.tickets({ phone: WEB.phone, code: sms!.code });
    expect(list.tickets.map((x) => x.trackingCode)).toEqual([codes['web']]);

    const office = await staffUser(t, 'office');
    expect((await t.portal.services.staff.detail(office, codes['web']!)).reporter).toMatchObject(WEB);
    expect((await t.portal.services.staff.detail(office, codes['mail']!)).reporter).toMatchObject({ name: MAIL.name, email: MAIL.email });

    // Stored: envelopes and keyed hashes, no clear value.
    const raw = await t.portal.database.db
      .withoutPlugins()
      .selectFrom('ticket_reporters')
      .select(['name', 'phone', 'email', 'phone_hash'])
      .execute();
    for (const row of raw) {
      for (const v of [row.name, row.phone, row.email]) if (v !== null) expect(v).toMatch(/^enc1:[0-9a-f]{8}:/);
    }
    expect(raw.filter((r) => r.phone !== null).every((r) => r.phone_hash !== null)).toBe(true);
  });

  it('leaves no phone number, name or address of a reporter or caller in clear in the stored bytes', async () => {
    if (kind === 'sqlite') {
      const file = path.join(t.database.dataDir, 'portal.sqlite');
      // Read while the portal is open: what is committed since the last checkpoint is in the WAL.
      const wal = fs.existsSync(`${file}-wal`) ? fs.readFileSync(`${file}-wal`) : Buffer.alloc(0);
      expect(wal.length).toBeGreaterThan(0);
      expect(secretsIn(wal)).toEqual([]);
      expect(secretsIn(fs.readFileSync(file))).toEqual([]);
    } else {
      // A plain-text dump (the backups' custom format is compressed: a search there proves nothing).
      const { stdout } = await promisify(execFile)('pg_dump', ['--format=plain', '--dbname', t.database.url], {
        maxBuffer: 512 * 1024 * 1024,
        encoding: 'buffer',
      });
      expect(stdout.includes(Buffer.from('ticket_reporters'))).toBe(true);
      expect(secretsIn(stdout)).toEqual([]);
    }
  });

  it('leaves none in clear in any file under DATA_DIR: the kept raw mail and attachment are sealed', async () => {
    const dataDir = t.database.dataDir;
    const found: string[] = [];
    let mailFiles = 0;
    for (const entry of fs.readdirSync(dataDir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      const rel = path.relative(dataDir, file);
      // The key file is the one thing there that must be in clear (and it holds no personal data).
      if (rel.split(path.sep)[0] === 'keys') continue;
      if (/^mail-(raw|attachments)\//.test(rel.split(path.sep).join('/'))) mailFiles++;
      for (const secret of secretsIn(fs.readFileSync(file))) found.push(`${rel}: ${secret}`);
    }
    // The raw mail and its attachment are there (sealed), so the search proves something.
    expect(mailFiles).toBeGreaterThanOrEqual(2);
    expect(found).toEqual([]);
  });
});
