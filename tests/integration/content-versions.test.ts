// Content agreed by all processes (issue 16 item 3, ADR 015): two portals on one database use the
// content version stored in it. `npm run content:load` with a changed routing rule and deadline
// reaches the other portal within its poll interval, without a restart; a broken file is refused
// and both keep the version they had; a restart with unchanged files adds no version, and one with
// edited files (the simple way for one county) adds one.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPortal, type Portal } from '../../server/app.ts';
import { appRouter } from '../../server/trpc/app-router.ts';
import { addContentVersion, newestContentVersion } from '../../server/content/content-version-repository.ts';
import { databaseKinds } from '../support/databases.ts';
import { expectConsoleError, loggedLines } from '../setup/fail-on-console-error.ts';
import { CONTENT_DIR, startTestPortal, TEST_THROTTLE_LIMITS, type TestPortal } from '../support/portal.ts';
import { copyContent, editJson } from '../support/content-copy.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts/content-load.ts');
const kinds = await databaseKinds();

// Routed by content/ to the traffic police (交警大队), deadline from its category.
const CROSSING = '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了';
const DAY = 24 * 3600_000;
const POLL_MS = 50;

/** content/ with the traffic police's rules led by 住建局 instead, and the crossing's category due in 3 days. */
function editedContent(categoryCode: string): string {
  const dir = copyContent();
  editJson(path.join(dir, 'routing-rules.json'), (rules) => {
    for (const rule of rules.rules) {
      if (rule.lead !== 'jiaojing') continue;
      rule.lead = 'zhujianju';
      rule.cooperating = rule.cooperating.filter((code: string) => code !== 'zhujianju');
    }
  });
  editJson(path.join(dir, 'categories.json'), (categories) => {
    for (const c of categories) if (c.code === categoryCode || categoryCode.startsWith(`${c.code}.`)) c.deadlineDays = 3;
  });
  return dir;
}

const dirs: string[] = [];
const portals: Portal[] = [];
let first: TestPortal | undefined;
afterEach(async () => {
  for (const p of portals.splice(0)) await p.close();
  await first?.close();
  first = undefined;
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function contentLoad(t: TestPortal, dir: string) {
  const env = {
    ...process.env,
    DATABASE_URL: t.database.url,
    DATA_DIR: t.database.dataDir,
    ...(t.database.dataKey && { DATA_KEY: t.database.dataKey }),
    CONTENT_DIR: dir,
  };
  return run(process.execPath, [SCRIPT], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

describe.each(kinds)('content versions in the database (%s)', (kind) => {
  /** Portal A (startTestPortal) and portal B on the same database, both polling every POLL_MS. */
  async function twoPortals(): Promise<{ a: TestPortal; b: Portal }> {
    const a = await startTestPortal(kind, CONTENT_DIR, TEST_THROTTLE_LIMITS, { contentPollMs: POLL_MS });
    first = a;
    const b = await createPortal({
      databaseUrl: a.database.url,
      dataDir: a.database.dataDir,
      dataKey: a.database.dataKey,
      contentDir: CONTENT_DIR,
      clock: a.clock,
      throttleLimits: TEST_THROTTLE_LIMITS,
      contentPollMs: POLL_MS,
    });
    portals.push(b);
    return { a, b };
  }

  it('content:load with a changed routing rule reaches the other portal within its poll interval', { timeout: 60_000 }, async () => {
    const { a, b } = await twoPortals();
    const versionBefore = a.portal.content.current().id;
    expect(b.content.current().id).toBe(versionBefore);
    const before = await a.caller().report.submit({ description: CROSSING });
    expect(before.unit?.name).toBe('临城县公安局交通警察大队');
    const categoryCode = (await a.caller().report.track({ trackingCode: before.trackingCode })).category?.code;
    expect(categoryCode).toBeTruthy();
    expect(b.services.suggestRoute({ text: CROSSING }).unit?.code).toBe('jiaojing');

    const dir = editedContent(categoryCode!);
    dirs.push(dir);
    const loaded = await contentLoad(a, dir);
    expect(loaded.code).toBe(0);
    const line = JSON.parse(loaded.stdout) as { id: number; hash: string; added: boolean };
    expect(line).toMatchObject({ added: true });
    expect(line.id).toBeGreaterThan(versionBefore);

    // B was not restarted: its poll finds the new version.
    await vi.waitFor(() => expect(b.content.current().id).toBe(line.id), { timeout: 10_000, interval: POLL_MS });
    expect(b.content.current().hash).toBe(line.hash);
    expect(b.services.suggestRoute({ text: CROSSING }).unit?.code).toBe('zhujianju');
    const caller = appRouter.createCaller({ app: b.services, request: { ip: '203.0.113.8', userAgent: 'vitest' }, user: null });
    const after = await caller.report.submit({ description: CROSSING });
    expect(after.unit?.name).toBe('临城县住房和城乡建设局');
    expect(new Date(after.deadline!).getTime() - a.clock.now().getTime()).toBe(3 * DAY);
    // And A, whose own folder still has the old files, uses the stored version too.
    await vi.waitFor(() => expect(a.portal.content.current().id).toBe(line.id), { timeout: 10_000, interval: POLL_MS });
    expect((await a.caller().report.submit({ description: CROSSING })).unit?.name).toBe('临城县住房和城乡建设局');
  });

  it.runIf(kind === 'postgres')(
    'on PostgreSQL a new version is announced (NOTIFY): a portal that never polls switches too',
    { timeout: 60_000 },
    async () => {
      const { a } = await twoPortals();
      const listening = await createPortal({
        databaseUrl: a.database.url,
        dataDir: a.database.dataDir,
        dataKey: a.database.dataKey,
        contentDir: CONTENT_DIR,
        clock: a.clock,
        contentPollMs: 0,
      });
      portals.push(listening);
      const dir = editedContent('intersection');
      dirs.push(dir);
      const loaded = await contentLoad(a, dir);
      expect(loaded.code).toBe(0);
      const { id } = JSON.parse(loaded.stdout) as { id: number };
      await vi.waitFor(() => expect(listening.content.current().id).toBe(id), { timeout: 10_000, interval: POLL_MS });
      expect(listening.services.suggestRoute({ text: CROSSING }).unit?.code).toBe('zhujianju');
    },
  );

  it('a broken file is refused with a message naming it, and both portals keep their version', { timeout: 60_000 }, async () => {
    const { a, b } = await twoPortals();
    const version = a.portal.content.current().id;
    const dir = copyContent();
    dirs.push(dir);
    editJson(path.join(dir, 'routing-rules.json'), (rules) => {
      rules.rules[0].lead = 'no-such-unit';
    });
    const refused = await contentLoad(a, dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/routing-rules\.json: rule #1 [\s\S]*field "lead": unknown unit "no-such-unit"/);
    expect((await newestContentVersion(a.portal.database.db))?.id).toBe(version);
    await a.portal.content.refresh();
    await b.content.refresh();
    expect([a.portal.content.current().id, b.content.current().id]).toEqual([version, version]);
    expect(b.services.suggestRoute({ text: CROSSING }).unit?.code).toBe('jiaojing');
  });

  it("a stored version a portal cannot build (a newer release's) is reported once, and the portal keeps its version", async () => {
    const a = await startTestPortal(kind, CONTENT_DIR, TEST_THROTTLE_LIMITS, { contentPollMs: 0 });
    first = a;
    const version = a.portal.content.current().id;
    const files = new Map([['units.json', '[]']]);
    const { mark } = await addContentVersion(a.portal.database.db, a.database.name, {
      hash: 'not-buildable',
      files,
      loadedAt: a.clock.now().toISOString(),
      source: 'test',
    });
    const unreadable = /categories\.json: cannot read the file: file not found/;
    // On PostgreSQL the announcement may have started that refresh already: it logs the error once.
    if (kind === 'postgres') expectConsoleError();
    const refreshed = await a.portal.content.refresh().catch((error: unknown) => error);
    if (refreshed === false)
      expect(
        loggedLines('error')
          .map((line) => line.msg)
          .join('\n'),
      ).toMatch(unreadable);
    else expect(String(refreshed)).toMatch(unreadable);
    expect(await a.portal.content.refresh()).toBe(false);
    expect(a.portal.content.current().id).toBe(version);
    expect(mark.id).toBeGreaterThan(version);
    expect(a.portal.services.suggestRoute({ text: CROSSING }).unit?.code).toBe('jiaojing');
  });

  it('a restart with unchanged files adds no version; one with edited files adds one', { timeout: 60_000 }, async () => {
    const { a, b } = await twoPortals();
    const version = await newestContentVersion(a.portal.database.db);
    portals.splice(portals.indexOf(b), 1);
    await b.close();
    const options = {
      databaseUrl: a.database.url,
      dataDir: a.database.dataDir,
      dataKey: a.database.dataKey,
      clock: a.clock,
      contentPollMs: 0,
    };
    const again = await createPortal({ ...options, contentDir: CONTENT_DIR });
    portals.push(again);
    expect(await newestContentVersion(a.portal.database.db)).toEqual(version);
    expect(again.content.current().id).toBe(version!.id);

    const dir = editedContent('intersection');
    dirs.push(dir);
    const edited = await createPortal({ ...options, contentDir: dir });
    portals.push(edited);
    const newest = await newestContentVersion(a.portal.database.db);
    expect(newest!.id).toBeGreaterThan(version!.id);
    expect(newest!.hash).not.toBe(version!.hash);
    expect(edited.content.current().id).toBe(newest!.id);
    expect(edited.services.suggestRoute({ text: CROSSING }).unit?.code).toBe('zhujianju');
  });
});
