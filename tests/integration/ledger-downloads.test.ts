// Ledger files over HTTP, scoped by who asks: the office gets every row, a unit only its own,
// the monthly report is refused to units, and nothing without a session.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import readExcelFile, { readSheet } from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestHandler, listen } from '../../server/http/host.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { createStaff, STAFF_PASSWORD } from '../support/staff-accounts.ts';
import { makeTicket } from '../support/ticket-factory.ts';

let t: TestPortal;
let server: Server;
let base: string;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestPortal('sqlite');
  const clientDir = path.join(t.database.dataDir, 'client');
  fs.mkdirSync(clientDir);
  server = await listen(
    createRequestHandler({
      app: t.portal.services,
      photos: t.portal.photos,
      clientDir,
      astroHandler: async (_req, _res, next) => next(),
      trustProxy: 0,
      secureCookies: false,
    }),
    '127.0.0.1',
    0,
  );
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await makeTicket(t, { text: '人民路和府前街交叉口，机动车经过斑马线从来不礼让行人', unit: 'jiaojing', status: 'closed' });
  await makeTicket(t, { text: '西关集贸市场里垃圾堆成山，臭气熏天，摊位乱摆', unit: 'fagaiju', status: 'accepted' });
  const staff = await createStaff(t, [
    ['dl-office', 'dispatcher'],
    ['dl-jiaojing', 'unit', 'jiaojing'],
  ]);
  for (const username of Object.keys(staff)) {
    const { token } = await t.portal.services.accounts.login(username, STAFF_PASSWORD, { ip: '127.0.0.1' });
    cookies[username] = `cc_session=${token}`;
  }
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await t?.close();
});

const download = (url: string, who?: string) => fetch(base + url, { headers: who ? { cookie: cookies[who]! } : {} });

describe('ledger downloads', () => {
  it('gives the office every ticket as a spreadsheet with Chinese headers', async () => {
    const res = await download('/api/ledgers/problems.xlsx', 'dl-office');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/filename\*=UTF-8''%E9%97%AE%E9%A2%98%E5%8F%B0%E5%B8%90/); // 问题台帐
    const rows = await readSheet(Buffer.from(await res.arrayBuffer()));
    expect(rows[0]).toContain('查询码');
    expect(rows.length - 1).toBe(2);
  });

  it('gives a unit only its own rows, whatever filter it sends', async () => {
    const filter = encodeURIComponent(JSON.stringify({ unitCode: 'fagaiju' }));
    const res = await download(`/api/ledgers/problems.csv?filter=${filter}`, 'dl-jiaojing');
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM: Excel then reads UTF-8
    const csv = bytes.toString('utf8');
    expect(csv).toContain('县交警大队');
    expect(csv).not.toContain('集贸市场');
  });

  it('refuses the monthly report to a unit, everything without a session, and a bad filter in Chinese', async () => {
    expect((await download('/api/ledgers/monthly-report/2026-11.xlsx', 'dl-jiaojing')).status).toBe(403);
    const monthly = await download('/api/ledgers/monthly-report/2026-11.xlsx', 'dl-office');
    expect(monthly.status).toBe(200);
    // The month's ranking of the units (考核) is the workbook's last sheet.
    const sheets = await readExcelFile(Buffer.from(await monthly.arrayBuffer()));
    expect(sheets.at(-1)!.sheet).toBe('单位考核');
    expect(sheets.at(-1)!.data[0]!.slice(0, 6)).toEqual(['排名', '单位', '总分', '档次', '红黑榜', '按期整改率（权重25）']);
    expect((await download('/api/ledgers/points.xlsx')).status).toBe(401);
    const bad = await download(`/api/ledgers/problems.xlsx?filter=${encodeURIComponent('{"dateFrom":"yesterday"}')}`, 'dl-office');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.message).toMatch(/日期格式/);
    expect((await download('/api/ledgers/nothing.xlsx', 'dl-office')).status).toBe(404);
  });
});
