// Builds the public site by hand: `npm run build:site -- --snapshot FILE --out DIR`.
// The same two steps the portal's builder runs (server/publish/site-builder.ts), without its
// atomic switch: `astro build --root site` in a child process with PUBLIC_SNAPSHOT and
// SITE_OUT_DIR, then Pagefind over the output. Without --snapshot the site is built from content
// alone; without --out it goes to dist/public. --no-search skips Pagefind.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSnapshotFile } from './src/snapshot.ts';

const repoRoot = resolve(import.meta.dirname, '..');

const { values } = parseArgs({
  options: {
    snapshot: { type: 'string' },
    out: { type: 'string' },
    'no-search': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log('usage: npm run build:site -- [--snapshot snapshot.json] [--out DIR] [--no-search]');
  process.exit(0);
}

const out = resolve(values.out ?? join(repoRoot, 'dist', 'public'));
const env: NodeJS.ProcessEnv = { ...process.env, SITE_OUT_DIR: out, ASTRO_TELEMETRY_DISABLED: '1' };
if (values.snapshot) {
  const snapshot = resolve(values.snapshot);
  // Fails here, with the fields named, before Astro starts.
  loadSnapshotFile(snapshot);
  env['PUBLIC_SNAPSHOT'] = snapshot;
} else {
  delete env['PUBLIC_SNAPSHOT'];
}

function run(args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code, signal) => (code === 0 ? done() : fail(new Error(`${args[0]} exited with ${signal ?? code}`))));
  });
}

const started = performance.now();
try {
  // --force: re-read the content store (see server/publish/site-builder.ts: CONTENT_DIR may have moved).
  await run([join(repoRoot, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build', '--root', join(repoRoot, 'site'), '--force']);
  if (!values['no-search']) {
    await run([join(repoRoot, 'node_modules', 'pagefind', 'lib', 'runner', 'bin.cjs'), '--site', out]);
  }
} catch (error) {
  console.error(`build:site failed: ${(error as Error).message}`);
  process.exit(1);
}
console.log(`public site built in ${out} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
