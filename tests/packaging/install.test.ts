// deploy/install.sh without systemd (issue 19): a fake bundle — the repository's deploy/ folder
// with stub bin/ commands that only record their calls — installed with `--root DIR
// --no-systemd`, then upgraded to a second release, rolled back, and refused a rollback past a
// migration. The bundle itself is tested elsewhere (bundle.test.ts); this is about install.sh.
// The generated units go through `systemd-analyze verify` where it is installed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../..');
const DEPLOY = path.join(REPO, 'deploy');
const UNITS = ['chuangcheng-portal-web.service', 'chuangcheng-portal-worker.service'];

let work: string;
let root: string;
let calls: string;

/** Writes a stub command that appends "<name> <its release folder> <PORTAL_ENV_FILE>" to the calls file. */
function stub(bundle: string, name: string, exitCode = 0): void {
  const file = path.join(bundle, 'bin', name);
  fs.writeFileSync(
    file,
    `#!/bin/sh\nhere=$(cd "$(dirname "$0")/.." && pwd)\nprintf '%s %s %s\\n' ${name} "$here" "\${PORTAL_ENV_FILE:-}" >> '${calls}'\nexit ${exitCode}\n`,
    { mode: 0o755 },
  );
}

/** An unpacked bundle folder as the bundle script lays it out, with stub commands. */
function fakeBundle(version: string, migrations: string[], options: { migrateExit?: number } = {}): string {
  const dir = path.join(work, 'unpacked', `chuangcheng-portal-${version}-linux-x64`);
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.cpSync(DEPLOY, path.join(dir, 'deploy'), { recursive: true });
  fs.copyFileSync(path.join(DEPLOY, 'install.sh'), path.join(dir, 'install.sh'));
  fs.writeFileSync(path.join(dir, 'VERSION'), `${version}\n`);
  for (const name of ['portal-web', 'portal-worker']) stub(dir, name);
  stub(dir, 'portal-migrate', options.migrateExit ?? 0);
  const migrationsDir = path.join(dir, 'app', 'server', 'db', 'migrations');
  fs.mkdirSync(migrationsDir, { recursive: true });
  for (const m of migrations) fs.writeFileSync(path.join(migrationsDir, `${m}.ts`), 'export {};\n');
  fs.writeFileSync(path.join(migrationsDir, 'audit-chain-guard.ts'), 'export {};\n'); // not a migration
  fs.mkdirSync(path.join(dir, 'app', 'content'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'app', 'content', 'units.json'), '[]\n');
  return dir;
}

function install(script: string, ...args: string[]) {
  const result = spawnSync('sh', [script, '--root', root, '--no-systemd', ...args], { encoding: 'utf8', timeout: 10_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const at = (p: string) => path.join(root, p);
const current = () => fs.readlinkSync(at('opt/chuangcheng-portal/current'));
const previous = () => fs.readlinkSync(at('opt/chuangcheng-portal/previous'));
const recorded = () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n') : []);
const mode = (p: string) => (fs.statSync(at(p)).mode & 0o777).toString(8);

const A = 'chuangcheng-portal-0.1.0+aaaaaaa-linux-x64';
const B = 'chuangcheng-portal-0.1.1+bbbbbbb-linux-x64';
const C = 'chuangcheng-portal-0.2.0+ccccccc-linux-x64';
const ENV = 'etc/chuangcheng-portal/portal.env';

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-install-'));
  root = path.join(work, 'root');
  calls = path.join(work, 'calls.log');
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('install.sh --root --no-systemd', () => {
  it('refuses to run from a folder that is not an unpacked bundle', () => {
    const result = spawnSync('sh', [path.join(DEPLOY, 'install.sh'), '--root', path.join(work, 'nowhere'), '--no-systemd'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/is not an unpacked bundle \(VERSION is missing\)/);
  });

  it('installs a first release: folders, settings from the template, content, migrated once, units printed, current linked', () => {
    const result = install(path.join(fakeBundle('0.1.0+aaaaaaa', ['001-tickets', '002-accounts']), 'install.sh'));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);

    expect(current()).toBe(`releases/${A}`);
    expect(fs.existsSync(at(`opt/chuangcheng-portal/releases/${A}/bin/portal-web`))).toBe(true);
    for (const dir of ['var/log/chuangcheng-portal', 'var/backups/chuangcheng-portal', 'etc/chuangcheng-portal']) {
      expect(mode(dir), dir).toBe('750');
    }
    // nginx (www-data) passes through DATA_DIR to public-site/current, never lists it (deploy/nginx/).
    expect(mode('var/lib/chuangcheng-portal')).toBe('711');
    expect(fs.readFileSync(at(ENV), 'utf8')).toBe(fs.readFileSync(path.join(DEPLOY, 'portal.env.template'), 'utf8'));
    expect(mode(ENV)).toBe('640');
    expect(result.stdout).toContain(`settings: wrote ${at(ENV)} from the template`);
    expect(fs.readFileSync(at('etc/chuangcheng-portal/content/units.json'), 'utf8')).toBe('[]\n');
    expect(fs.readFileSync(at('etc/logrotate.d/chuangcheng-portal'), 'utf8')).toBe(
      fs.readFileSync(path.join(DEPLOY, 'logrotate', 'chuangcheng-portal'), 'utf8'),
    );

    // Not root's own system: the user and the owners are recorded, not made.
    const actions = fs.readFileSync(at('install-actions.log'), 'utf8');
    expect(actions).toMatch(
      /^useradd --system --user-group --home-dir \/var\/lib\/chuangcheng-portal --no-create-home --shell \S*nologin chuangcheng$/m,
    );
    expect(actions).toContain('chown chuangcheng:chuangcheng /var/lib/chuangcheng-portal\n');
    expect(actions).toContain('chown root:chuangcheng /etc/chuangcheng-portal/portal.env\n');

    for (const unit of UNITS) {
      const text = fs.readFileSync(at(`etc/systemd/system/${unit}`), 'utf8');
      expect(text).toBe(fs.readFileSync(path.join(DEPLOY, 'systemd', unit), 'utf8'));
      expect(result.stdout).toContain(`--- ${at(`etc/systemd/system/${unit}`)}\n${text}`);
    }
    expect(result.stdout).toContain('systemd not called (--no-systemd)');
    // Migrated before the services start, so that the two do not migrate a new database at once.
    expect(recorded()).toEqual([`portal-migrate ${at(`opt/chuangcheng-portal/releases/${A}`)} ${at(ENV)}`]);
    fs.rmSync(calls);
  });

  it('upgrades: migrates with the new release, keeps the settings, switches current and keeps the old as previous', () => {
    fs.appendFileSync(at(ENV), "PUBLIC_URL=https://cc.lincheng.gov.cn\nSMTP_URL='smtp://mail.lincheng.gov.cn:25'\n");
    const edited = fs.readFileSync(at(ENV), 'utf8');
    // The template's line for DATA_KEY is gone from the operator's file: the install names it.
    fs.writeFileSync(at(ENV), edited.replace(/^# DATA_KEY=.*\n/m, ''));
    const kept = fs.readFileSync(at(ENV), 'utf8');

    const result = install(path.join(fakeBundle('0.1.1+bbbbbbb', ['001-tickets', '002-accounts']), 'install.sh'));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(fs.readFileSync(at(ENV), 'utf8')).toBe(kept);
    expect(result.stdout).toContain('exists, kept as it is (never overwritten)');
    expect(result.stdout).toMatch(/settings in this release's template that .* does not name: DATA_KEY\n/);
    expect(recorded()).toEqual([`portal-migrate ${at(`opt/chuangcheng-portal/releases/${B}`)} ${at(ENV)}`]);
    expect(current()).toBe(`releases/${B}`);
    expect(previous()).toBe(`releases/${A}`);
    expect(fs.existsSync(at(`opt/chuangcheng-portal/releases/${A}/VERSION`))).toBe(true);
    // No temporary link or copy left behind.
    expect(fs.readdirSync(at('opt/chuangcheng-portal')).sort()).toEqual(['current', 'previous', 'releases']);
    expect(fs.readdirSync(at('opt/chuangcheng-portal/releases')).sort()).toEqual([A, B]);
  });

  it('rolls back to the previous release when the newer one added no migration', () => {
    const result = install(at('opt/chuangcheng-portal/current/install.sh'), '--rollback');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`current -> releases/${A} (was releases/${B})`);
    expect(current()).toBe(`releases/${A}`);
    expect(previous()).toBe(`releases/${B}`);
    expect(result.stdout).toContain(`--- ${at(`etc/systemd/system/${UNITS[0]}`)}`);
  });

  it('leaves the old release current when the migration fails', () => {
    fs.rmSync(calls, { force: true });
    const result = install(
      path.join(fakeBundle('0.1.9+fffffff', ['001-tickets', '002-accounts', '003-x'], { migrateExit: 3 }), 'install.sh'),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`migration failed: current still points to releases/${A}, nothing restarted`);
    expect(recorded()).toHaveLength(1);
    expect(current()).toBe(`releases/${A}`);
    expect(previous()).toBe(`releases/${B}`);
  });

  it('refuses a rollback past an added migration, unless --force', () => {
    const upgrade = install(path.join(fakeBundle('0.2.0+ccccccc', ['001-tickets', '002-accounts', '003-ledgers']), 'install.sh'));
    expect(upgrade.status).toBe(0);
    expect(current()).toBe(`releases/${C}`);

    const refused = install(at('opt/chuangcheng-portal/current/install.sh'), '--rollback');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`Not rolled back: releases/${C} added migrations that releases/${A} does not know:\n  003-ledgers\n`);
    expect(current()).toBe(`releases/${C}`);

    const forced = install(at('opt/chuangcheng-portal/current/install.sh'), '--rollback', '--force');
    expect(forced.status).toBe(0);
    expect(current()).toBe(`releases/${A}`);
  });

  it('installs the worker alone with --worker-only', () => {
    const saved = root;
    root = path.join(work, 'worker-root');
    try {
      const result = install(path.join(work, 'unpacked', A, 'install.sh'), '--worker-only');
      expect(result.status).toBe(0);
      expect(fs.readdirSync(at('etc/systemd/system'))).toEqual([UNITS[1]]);
      expect(result.stdout).not.toContain(UNITS[0]);
    } finally {
      root = saved;
    }
  });

  // systemd-analyze exits 0 on unknown keys and bad values, printing them: its output must be empty.
  it.runIf(fs.existsSync('/usr/bin/systemd-analyze'))('systemd-analyze verify passes on the installed units', () => {
    const verify = path.join(work, 'verify');
    fs.mkdirSync(verify);
    for (const unit of UNITS) {
      // The commands exist under the root, not on this machine: point ExecStart there.
      const text = fs.readFileSync(at(`etc/systemd/system/${unit}`), 'utf8');
      expect(text).toMatch(/^ExecStart=\/opt\/chuangcheng-portal\/current\/bin\/portal-(web|worker)$/m);
      fs.writeFileSync(path.join(verify, unit), text.replace(/^ExecStart=\//m, `ExecStart=${root}/`));
    }
    const result = spawnSync('systemd-analyze', ['verify', ...UNITS.map((u) => path.join(verify, u))], { encoding: 'utf8' });
    expect(result.stderr + result.stdout).toBe('');
    expect(result.status).toBe(0);
  });
});
