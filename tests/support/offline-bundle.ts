// The offline bundle as a county's server sees it (issue 19): built by `scripts/bundle.ts` into a
// temporary folder, unpacked into an empty one, and started through its own bin/ commands with a
// PATH that holds no Node and no npm — only the few tools the commands' shell needs, linked into a
// folder of their own. Settings reach the commands through the environment file they load
// (PORTAL_ENV_FILE), as on an installed server.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { logMessages } from './portal-process.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Builds the bundle for `arch` into `outDir` (reusing the build, which must be current); the archive's path and what the script printed. */
export function buildBundle(arch: 'x64' | 'arm64', outDir: string): { archive: string; output: string } {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'bundle.ts'), '--arch', arch, '--out', outDir, '--no-build'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`scripts/bundle.ts --arch ${arch} failed (${result.status ?? result.signal}):\n${output}`);
  const archives = fs.readdirSync(outDir).filter((f) => f.endsWith(`-linux-${arch}.tar.gz`));
  if (archives.length !== 1) throw new Error(`expected one archive in ${outDir}, found: ${fs.readdirSync(outDir).join(', ')}\n${output}`);
  return { archive: path.join(outDir, archives[0]!), output };
}

/** Unpacks `archive` into `dir` (made empty); the bundle's own folder, the only thing in it. */
export function unpackBundle(archive: string, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length > 0) throw new Error(`${dir} is not empty`);
  execFileSync('tar', ['-xzf', archive, '-C', dir]);
  const entries = fs.readdirSync(dir);
  if (entries.length !== 1) throw new Error(`the archive unpacked to ${entries.join(', ')}, not one folder`);
  return path.join(dir, entries[0]!);
}

/** What a POSIX shell running the bin/ commands calls besides its built-ins. */
const SHELL_TOOLS = ['dirname', 'readlink'];

/**
 * A PATH of one folder holding links to the shell tools only. Throws when `node` or `npm` could
 * be found through it — the point of the folder.
 */
export function pathWithoutNode(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const tool of SHELL_TOOLS) {
    const found = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((p) => fs.existsSync(p));
    if (!found) throw new Error(`${tool} is not in /usr/bin or /bin`);
    fs.symlinkSync(found, path.join(dir, tool));
  }
  for (const program of ['node', 'npm', 'npx']) {
    if (fs.existsSync(path.join(dir, program))) throw new Error(`${program} is on the test's PATH`);
  }
  return dir;
}

/** Writes the settings the bundle's commands load (PORTAL_ENV_FILE): KEY=value lines. */
export function writeEnvFile(file: string, settings: Record<string, string>): string {
  fs.writeFileSync(
    file,
    Object.entries(settings)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
  return file;
}

/** Runs one of the bundle's bin/ commands to its end; its standard output. */
export function runCommand(bundle: string, command: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): string {
  const result = spawnSync(path.join(bundle, 'bin', command), args, {
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
    cwd: path.dirname(bundle),
  });
  if (result.status !== 0) {
    throw new Error(`bin/${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

export interface BundledProcess {
  /** http://127.0.0.1:PORT for bin/portal-web; empty for bin/portal-worker. */
  base: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** Starts bin/portal-web (PORT=0 in its settings; resolves once it listens) or bin/portal-worker (once it has started). */
export function startBundled(
  bundle: string,
  command: 'portal-web' | 'portal-worker',
  env: Record<string, string>,
  timeoutMs: number,
): Promise<BundledProcess> {
  const child = spawn(path.join(bundle, 'bin', command), [], {
    env,
    cwd: path.dirname(bundle),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      kill('SIGKILL');
      reject(new Error(`bin/${command} did not start within ${timeoutMs} ms:\n${log}`));
    }, timeoutMs);
    const early = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      reject(new Error(`bin/${command} exited (${code ?? signal}) before it listened:\n${log}`));
    };
    child.once('exit', early);
    const look = () => {
      const said = logMessages(log);
      if (!said.some((m) => m.startsWith('roles: '))) return;
      const base = command === 'portal-web' ? said.map((m) => /portal listening on (http:\/\/\S+?)\/?$/.exec(m)?.[1]).find(Boolean) : '';
      if (base === undefined) return;
      clearTimeout(timer);
      child.off('exit', early);
      child.stdout.off('data', look);
      resolve({ base, pid: child.pid!, output: () => log, stop });
    };
    child.stdout.on('data', look);
  });
}

/** Resolves when a log message of `process` matches `pattern` (polled), or fails with its output after `timeoutMs`. */
export async function waitForMessage(process: BundledProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = logMessages(process.output()).find((m) => pattern.test(m));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no log message matching ${pattern} within ${timeoutMs} ms:\n${process.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Uploads a photo (POST /api/uploads, as the form does) and submits a report with it; the tracking code and the photo's id. */
export async function reportWithPhoto(
  base: string,
  photo: Buffer,
  description: string,
): Promise<{ trackingCode: string; photoId: string }> {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'photo.jpg');
  const uploaded = await fetch(`${base}/api/uploads`, { method: 'POST', body: form });
  const upload = (await uploaded.json()) as { id?: string };
  if (uploaded.status !== 200 || !upload.id) throw new Error(`upload answered ${uploaded.status}: ${JSON.stringify(upload)}`);
  const submitted = await fetch(`${base}/api/trpc/report.submit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ description, photoIds: [upload.id] }),
  });
  const body = (await submitted.json()) as { result?: { data?: { trackingCode?: string } } };
  const trackingCode = body.result?.data?.trackingCode;
  if (submitted.status !== 200 || !trackingCode) throw new Error(`report.submit answered ${submitted.status}: ${JSON.stringify(body)}`);
  return { trackingCode, photoId: upload.id };
}

/** The photos a report's tracking page lists (report.track: no personal data). */
export async function trackedPhotos(base: string, trackingCode: string): Promise<Array<{ url: string }>> {
  const input = encodeURIComponent(JSON.stringify({ trackingCode }));
  const res = await fetch(`${base}/api/trpc/report.track?input=${input}`);
  const body = (await res.json()) as { result?: { data?: { photos?: Array<{ url: string }> } } };
  if (res.status !== 200 || !body.result?.data?.photos) throw new Error(`report.track answered ${res.status}: ${JSON.stringify(body)}`);
  return body.result.data.photos;
}
