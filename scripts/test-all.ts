// `npm test`: everything CI runs, in order — system packages the tests need (Chromium, a CJK
// font, Dovecot for the mailbox tests, poppler's pdftotext for the printing tests; installed from
// Debian's packages when missing),
// formatting and lint (Prettier, ESLint's house rules, knip), type checks (tsc and `astro check`
// for both Astro roots), unit and integration tests (SQLite, and
// PostgreSQL when it answers), the production build, the tests of the portal started as a
// deployment starts it (they serve the build), and the browser tests in Chromium.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';

// Each stage's wall time, printed at the end: what the README's testing section reports.
const stages: Array<{ name: string; seconds: number }> = [];

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  const name = `${command} ${args.join(' ')}`;
  console.log(`\n▶ ${name}`);
  const started = performance.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  stages.push({ name, seconds: Math.round((performance.now() - started) / 1000) });
  if (result.status !== 0) {
    console.error(`✗ ${name} failed (exit ${result.status ?? result.signal})`);
    printStages();
    process.exit(result.status ?? 1);
  }
}

/**
 * Commands that each keep one core busy for a while, run side by side: their output is held and
 * printed whole, one command after the other, once all have ended.
 */
async function runTogether(commands: Array<[string, string[]]>): Promise<void> {
  const name = commands.map(([command, args]) => `${command} ${args.join(' ')}`).join('  ∥  ');
  console.log(`\n▶ ${name}`);
  const started = performance.now();
  const results = await Promise.all(
    commands.map(
      ([command, args]) =>
        new Promise<{ name: string; output: string; status: number | null }>((resolve) => {
          let output = '';
          const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '1' } });
          child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
          child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
          child.on('close', (status) => resolve({ name: `${command} ${args.join(' ')}`, output, status }));
        }),
    ),
  );
  stages.push({ name, seconds: Math.round((performance.now() - started) / 1000) });
  for (const r of results) console.log(`\n▶ ${r.name}\n${r.output}`);
  const failed = results.filter((r) => r.status !== 0);
  if (failed.length > 0) {
    for (const r of failed) console.error(`✗ ${r.name} failed (exit ${r.status})`);
    printStages();
    process.exit(1);
  }
}

function printStages(): void {
  const total = stages.reduce((sum, s) => sum + s.seconds, 0);
  console.log('\nstage times:');
  for (const s of stages) console.log(`  ${String(s.seconds).padStart(5)} s  ${s.name}`);
  console.log(`  ${String(total).padStart(5)} s  in all`);
}

function hasCjkFont(): boolean {
  try {
    return execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).includes('Noto');
  } catch {
    return false;
  }
}

function ensureSystemPackages(): void {
  const missing: string[] = [];
  if (!fs.existsSync('/usr/bin/chromium')) missing.push('chromium');
  if (!hasCjkFont()) missing.push('fonts-noto-cjk');
  if (!fs.existsSync('/usr/sbin/dovecot')) missing.push('dovecot-imapd');
  if (!fs.existsSync('/usr/bin/pdftotext')) missing.push('poppler-utils');
  // tests/packaging/nginx.test.ts: Debian's nginx with the brotli_static module the shipped configuration uses.
  if (!fs.existsSync('/usr/sbin/nginx')) missing.push('nginx');
  if (!fs.existsSync('/usr/lib/nginx/modules/ngx_http_brotli_static_module.so')) missing.push('libnginx-mod-http-brotli-static');
  // The ARM64 offline bundle runs under user-mode emulation, on an ARM64 glibc and libstdc++.
  if (!fs.existsSync('/usr/bin/qemu-aarch64')) missing.push('qemu-user');
  if (!fs.existsSync('/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1')) missing.push('libc6-arm64-cross');
  if (!fs.existsSync('/usr/aarch64-linux-gnu/lib/libstdc++.so.6')) missing.push('libstdc++6-arm64-cross');
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(`Missing Debian packages: ${missing.join(' ')}. Install them: sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(1);
  }
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { DEBIAN_FRONTEND: 'noninteractive' });
}

ensureSystemPackages();
// Lint and the type checks are each one process on one core: side by side on a two-core machine.
await runTogether([
  ['npm', ['run', 'lint']],
  ['npm', ['run', 'typecheck']],
]);
run('npx', ['vitest', 'run', '--project', 'unit', '--project', 'integration', '--project', 'measured']);
run('npm', ['run', 'build']);
// The portal started as a deployment starts it (server/main.ts): its web processes serve the build.
run('npx', ['vitest', 'run', '--project', 'deployed']);
// nginx in front, install.sh and the units, the offline bundles (x64, and ARM64 under qemu) made from that build.
run('npx', ['vitest', 'run', '--project', 'packaging']);
run('npx', ['playwright', 'test'], { E2E_SKIP_BUILD: '1' });
printStages();
console.log('\n✓ all tests passed');
