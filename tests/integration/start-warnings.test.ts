// `npm start` (server/main.ts) on the seed content says, in English and in Chinese, which fields
// of content/site.json still hold placeholders (issue 12, item 10), so a county does not go live
// with 0319-XXXXXXX; with the county's own values it says nothing. The process is started as the
// web role on a fresh data directory and stopped once it has started (or has stopped by itself,
// when the site is not built: the warning comes first either way).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTENT_DIR } from '../support/portal.ts';

const MAIN = path.resolve(import.meta.dirname, '../../server/main.ts');
const made: string[] = [];

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** What the portal logs from its start until it listens (or exits): the messages of its JSON lines, one line each. */
function startOutput(contentDir: string): Promise<string> {
  const child = spawn(process.execPath, [MAIN, '--role', 'web'], {
    env: { ...process.env, DATA_DIR: tempDir('portal-start-'), CONTENT_DIR: contentDir, HOST: '127.0.0.1', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the portal neither started nor stopped: ${stderr}`));
    }, 30_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (chunk.includes('roles:')) child.kill('SIGTERM');
    });
    child.once('exit', () => {
      clearTimeout(timer);
      const said = stdout.split('\n').flatMap((line) => (line.startsWith('{') ? [String((JSON.parse(line) as { msg: unknown }).msg)] : []));
      resolve([...said, stderr].join('\n'));
    });
  });
}

describe('the start of the portal', () => {
  it('names each placeholder of content/site.json, in English and in Chinese', async () => {
    const said = await startOutput(CONTENT_DIR);
    const english = said.split('\n').find((l) => l.startsWith('warning:'));
    const chinese = said.split('\n').find((l) => l.startsWith('注意：'));
    expect(english, said).toBeDefined();
    expect(english).toContain('site.json still holds placeholder values');
    for (const part of ['phone "0319-XXXXXXX"', 'hotline "0319-XXXXXXX"', 'icp "冀ICP备XXXXXXXX号-1"', 'domain "wmcc.lincheng.example"']) {
      expect(english).toContain(part);
    }
    expect(chinese, said).toBeDefined();
    for (const part of ['联系电话（phone）“0319-XXXXXXX”', 'ICP备案号（icp）', '网站域名（domain）“wmcc.lincheng.example”', '仍是示例值']) {
      expect(chinese).toContain(part);
    }
  });

  it('says nothing of the kind once the county has put in its own', async () => {
    const content = tempDir('portal-content-');
    fs.cpSync(CONTENT_DIR, content, { recursive: true });
    const file = path.join(content, 'site.json');
    const site = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    Object.assign(site, {
      phone: '0319-7012345',
      hotline: '0319-7012300',
      mailbox: 'chuangcheng@lincheng.gov.cn',
      icp: '冀ICP备13012345号-1',
      domain: 'wmcc.lincheng.gov.cn',
    });
    fs.writeFileSync(file, JSON.stringify(site, null, 2));
    const said = await startOutput(content);
    expect(said).not.toContain('placeholder');
    expect(said).not.toContain('示例值');
  });
});
