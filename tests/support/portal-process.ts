// The portal as a deployment runs it, in OS processes of its own: `node server/main.ts --role web`
// or `--role worker` with settings from the environment, as `npm start` runs it. A web process
// needs the build (`npm run build`: dist/server/entry.mjs). Each process leads its own process
// group, so `kill` takes its children with it (a worker's site build runs Astro in a child
// process): SIGKILL is a machine that dies, not a process that is stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'server', 'main.ts');

export interface PortalProcess {
  role: 'web' | 'worker';
  /** http://127.0.0.1:PORT for a web process; empty for a worker. */
  base: string;
  /** Everything it printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Signals the whole process group and waits until the process has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Whether `npm run build` has made what a web process serves. */
export function portalBuilt(): boolean {
  return fs.existsSync(path.join(ROOT, 'dist', 'server', 'entry.mjs')) && fs.existsSync(path.join(ROOT, 'dist', 'public', 'index.html'));
}

const LISTENING = /portal listening on (http:\/\/\S+?)\/?$/;
const STARTED = /^roles: /;

/** The messages of the JSON log lines in `output` (the portal logs JSON lines on standard output). */
export function logMessages(output: string): string[] {
  return output.split('\n').flatMap((line) => {
    try {
      const entry = JSON.parse(line) as { msg?: unknown };
      return typeof entry.msg === 'string' ? [entry.msg] : [];
    } catch {
      return [];
    }
  });
}

/** Starts a process with `env` (HOST, PORT 0 and the caller's settings) and resolves once it has started. */
export function startPortalProcess(role: 'web' | 'worker', env: Record<string, string>, timeoutMs = 60_000): Promise<PortalProcess> {
  const child = spawn(process.execPath, [MAIN, '--role', role], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not start within ${timeoutMs} ms`), timeoutMs);
    function fail(why: string) {
      clearTimeout(timer);
      killGroup(child, 'SIGKILL');
      reject(new Error(`${role} process ${why}:\n${log}`));
    }
    const early = (code: number | null, signal: NodeJS.Signals | null) => fail(`exited (${code ?? signal}) before it started`);
    child.once('exit', early);
    const look = () => {
      const said = logMessages(log);
      if (!said.some((m) => STARTED.test(m))) return;
      const base = role === 'web' ? said.map((m) => LISTENING.exec(m)?.[1]).find(Boolean) : '';
      if (base === undefined) return fail('started without saying where it listens');
      clearTimeout(timer);
      child.off('exit', early);
      child.stdout!.off('data', look);
      resolve({
        role,
        base,
        output: () => log,
        async kill(signal) {
          if (child.exitCode === null && child.signalCode === null) killGroup(child, signal);
          await exited;
        },
      });
    };
    child.stdout!.on('data', look);
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}
