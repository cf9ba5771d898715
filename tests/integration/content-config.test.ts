// Routing and deadlines are data: editing content/ and restarting changes behaviour, and a
// broken content file stops the start with a message naming the file.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { copyContent, editJson } from '../support/content-copy.ts';

const CROSSING = '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人，老人过马路太危险了';
const DAY = 24 * 3600_000;

let running: TestPortal | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('content/ drives routing and deadlines', () => {
  it('a changed routing rule and a per-category deadline take effect after a restart', async () => {
    running = await startTestPortal('sqlite');
    const before = await running.caller().report.submit({ description: CROSSING });
    expect(before.unit?.name).toBe('临城县公安局交通警察大队');
    const categoryCode = (await running.caller().report.track({ trackingCode: before.trackingCode })).category?.code;
    expect(categoryCode).toBeTruthy();
    await running.close();

    const dir = copyContent();
    editJson(path.join(dir, 'routing-rules.json'), (rules) => {
      for (const rule of rules.rules) {
        if (rule.lead !== 'jiaojing') continue;
        rule.lead = 'zhujianju';
        rule.cooperating = rule.cooperating.filter((code: string) => code !== 'zhujianju');
      }
    });
    editJson(path.join(dir, 'categories.json'), (categories) => {
      for (const c of categories) if (c.code === categoryCode || categoryCode!.startsWith(`${c.code}.`)) c.deadlineDays = 3;
    });
    running = await startTestPortal('sqlite', dir);
    const after = await running.caller().report.submit({ description: CROSSING });
    expect(after.unit?.name).toBe('临城县住房和城乡建设局');
    expect(new Date(after.deadline!).getTime() - running.clock.now().getTime()).toBe(3 * DAY);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a rule naming an unknown unit stops the start with a message naming the file', async () => {
    const dir = copyContent();
    editJson(path.join(dir, 'routing-rules.json'), (rules) => {
      rules.rules[0].lead = 'no-such-unit';
    });
    await expect(startTestPortal('sqlite', dir)).rejects.toThrow(/routing-rules\.json[\s\S]*no-such-unit/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
