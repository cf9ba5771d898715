// `npm test`: everything CI runs, in order — system packages the tests need (Chromium, a CJK
// font, Dovecot for the mailbox tests, poppler's pdftotext for the printing tests; installed from
// Debian's packages when missing),
// formatting and lint (Prettier, ESLint's house rules, knip), type checks (tsc and `astro check`
// for both Astro roots), unit and integration tests (SQLite, and
// PostgreSQL when it answers), the production build, and the browser tests in Chromium.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  console.log(`\n▶ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`✗ ${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
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
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(`Missing Debian packages: ${missing.join(' ')}. Install them: sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(1);
  }
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { DEBIAN_FRONTEND: 'noninteractive' });
}

ensureSystemPackages();
run('npm', ['run', 'lint']);
run('npm', ['run', 'typecheck']);
run('npx', ['vitest', 'run']);
run('npm', ['run', 'build']);
run('npx', ['playwright', 'test'], { E2E_SKIP_BUILD: '1' });
console.log('\n✓ all tests passed');
