// `npm run mail:import` over the whole mail corpus (../shared/testdata/mail-corpus, 606 real-world
// test mails, many malformed on purpose), in-process through the same importMailFiles the script
// calls: no crash, no hang, every message gets an outcome, and the mails the corpus tags as
// bounces or auto-replies create no ticket. Also: an mbox is split into its messages, and an
// unreadable file is reported, not fatal.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importMailFiles, splitMbox } from '../../server/intake/mail/mail-import.ts';
import { databaseKinds } from '../support/databases.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

const CORPUS = path.resolve(import.meta.dirname, '../../../shared/testdata/mail-corpus');
const kinds = await databaseKinds();

interface Entry {
  path: string;
  bounce: boolean;
  autoReply: boolean;
}

function corpus(): Entry[] {
  const [header, ...rows] = fs.readFileSync(path.join(CORPUS, 'index.tsv'), 'utf8').trimEnd().split('\n');
  const columns = header!.split('\t');
  const col = (name: string) => columns.indexOf(name);
  return rows.map((row) => {
    const cells = row.split('\t');
    return { path: cells[col('path')]!, bounce: cells[col('is_bounce')] === '1', autoReply: cells[col('is_auto_reply')] === '1' };
  });
}

describe.each(kinds)('mail:import on %s', (kind) => {
  let t: TestPortal;
  beforeAll(async () => {
    t = await startTestPortal(kind);
  });
  afterAll(() => t.close());

  it('gives every corpus message an outcome; bounces and auto-replies make no ticket', { timeout: 120_000 }, async () => {
    const entries = corpus();
    expect(entries.length).toBeGreaterThanOrEqual(600);
    const files = entries.map((e) => path.join(CORPUS, e.path));
    const lines = await importMailFiles(t.portal.services.mail, files);

    const byFile = new Map<string, typeof lines>();
    for (const line of lines) {
      const file = line.file.replace(/#\d+$/, '');
      byFile.set(file, [...(byFile.get(file) ?? []), line]);
      expect(['created', 'appended', 'ignored', 'quarantined']).toContain(line.outcome);
      expect(typeof line.subject).toBe('string');
      if (line.outcome === 'created') expect(line.trackingCode).toBeTruthy();
    }
    for (const file of files) expect(byFile.get(file)?.length ?? 0, file).toBeGreaterThan(0);

    const shouldNotTicket = entries.filter((e) => e.bounce || e.autoReply);
    expect(shouldNotTicket.length).toBeGreaterThan(60);
    const made = shouldNotTicket.filter((e) => byFile.get(path.join(CORPUS, e.path))!.some((l) => l.outcome === 'created'));
    expect(made.map((e) => e.path)).toEqual([]);

    const count = (o: string) => lines.filter((l) => l.outcome === o).length;
    const tickets = await t.portal.database.db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(tickets.n)).toBe(new Set(lines.filter((l) => l.outcome === 'created').map((l) => l.trackingCode)).size);
    console.info(
      `mail corpus on ${kind}: ${lines.length} messages from ${files.length} files — created ${count('created')}, appended ${count('appended')}, ignored ${count('ignored')}, quarantined ${count('quarantined')}`,
    );
  });

  it('splits an mbox on its From_ lines and reports an unreadable file', async () => {
    const mbox = [
      'From alice@example.com Mon Nov 30 10:00:00 2026',
      'From: 小王 <xiaowang@qq.example>',
      'Subject: mbox one',
      'Message-ID: <mbox-1@qq.example>',
      '',
      '文化路东段的人行道地砖松动，老人容易摔倒。',
      '>From the archive: quoted line',
      '',
      'From bob@example.com Mon Nov 30 11:00:00 2026',
      'From: 小李 <xiaoli@qq.example>',
      'Subject: mbox two',
      'Message-ID: <mbox-2@qq.example>',
      '',
      '公园北门的公共厕所没有水，已经好几天了。',
      '',
    ].join('\n');
    const parts = splitMbox(Buffer.from(mbox));
    expect(parts).toHaveLength(2);
    expect(parts[0]!.toString()).toContain('\nFrom the archive');
    expect(parts[0]!.toString().startsWith('From: ')).toBe(true);

    const file = path.join(t.database.dataDir, 'box.mbox');
    fs.writeFileSync(file, mbox);
    const lines = await importMailFiles(t.portal.services.mail, [file, path.join(t.database.dataDir, 'missing.eml')]);
    expect(lines.map((l) => [l.file.replace(t.database.dataDir, ''), l.outcome, l.subject])).toEqual([
      ['/box.mbox#1', 'created', 'mbox one'],
      ['/box.mbox#2', 'created', 'mbox two'],
      ['/missing.eml', 'quarantined', ''],
    ]);
    expect(lines[2]!.reason).toMatch(/unreadable/);
  });
});
