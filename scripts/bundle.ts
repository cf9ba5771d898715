// The offline bundle (issue 19): one archive per architecture holding everything a server with no
// internet and no Node needs to run the portal.
//   npm run bundle -- --arch x64|arm64 [--out DIR] [--no-build] [--keep-staging]
// writes DIR/chuangcheng-portal-<version>-linux-<arch>.tar.gz (DIR: bundle-out/ by default), which
// unpacks to one folder of the same name:
//   node/bin/node   Node 24 for that architecture (the npm package node-linux-<arch> of the
//                   version package.json pins as its `node` devDependency), and its LICENSE
//   app/            what `npm start` needs at run time: package.json, server/, scripts/, content/,
//                   the built dist/, and site/ + src/ (the worker builds the public site with
//                   Astro); production dependencies only, installed by npm for linux-<arch>
//                   (`npm ci --omit=dev --os=linux --cpu=<arch> --libc=glibc`), sharp's native
//                   library for that architecture among them
//   bin/            the commands (deploy/bin): portal-web, portal-worker, portal-admin, …
//   install.sh, deploy/   the installer, systemd units, nginx configuration, settings template
//   VERSION         <package.json version>+<git short commit>[.dirty]
// The build (`npm run build`) is reused when dist/ is newer than every file it is built from, and
// made first otherwise (--no-build: refuse instead). Building the ARM64 bundle on an x64 machine
// works: npm installs the other platform's optional native packages without running them, and the
// ARM64 Node comes from the registry like any package. Prints each step and the archive's size.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '..');
const USAGE = 'usage: npm run bundle -- --arch x64|arm64 [--out DIR] [--no-build] [--keep-staging]';
/** ELF e_machine of each architecture's binaries: the Node put in the bundle is checked against it. */
const ARCHES = { x64: 62, arm64: 183 } as const;
type Arch = keyof typeof ARCHES;

/** What app/ holds from the repository (tracked files and new ones not ignored). */
const APP_PATHS = ['package.json', 'package-lock.json', 'tsconfig.json', 'server', 'scripts', 'content', 'site', 'src'];
/** Development tools among them, not run on a server. */
const DEV_ONLY = new Set(['scripts/bundle.ts', 'scripts/test-all.ts']);
/** What `npm run build` reads: dist/ older than any of these is stale. */
const BUILD_INPUTS = ['src', 'site', 'server', 'content', 'public', 'astro.config.mjs', 'package-lock.json'];
/** What `npm run build` writes and `npm start` serves. */
const BUILD_OUTPUTS = ['dist/server/entry.mjs', 'dist/public/index.html'];

function fail(message: string, code = 1): never {
  console.error(`bundle: ${message}`);
  process.exit(code);
}

function step(message: string): void {
  console.log(`▶ ${message}`);
}

function parseOptions(): { arch: Arch; out: string; build: boolean; keepStaging: boolean } {
  let values: { arch?: string; out?: string; 'no-build'?: boolean; 'keep-staging'?: boolean };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2).filter((a) => a !== '--'),
      options: {
        arch: { type: 'string' },
        out: { type: 'string' },
        'no-build': { type: 'boolean', default: false },
        'keep-staging': { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`, 2);
  }
  if (values.arch === undefined) return fail(`--arch is required (x64 or arm64)\n${USAGE}`, 2);
  if (!Object.hasOwn(ARCHES, values.arch))
    return fail(`--arch ${values.arch}: not an architecture the bundle is made for (x64 or arm64)`, 2);
  return {
    arch: values.arch as Arch,
    out: path.resolve(values.out ?? path.join(ROOT, 'bundle-out')),
    build: !values['no-build'],
    keepStaging: values['keep-staging'] ?? false,
  };
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    return fail(`git ${args.join(' ')} failed (the bundle is made from a git checkout): ${(error as Error).message}`);
  }
}

/** The files under `paths` that git tracks or would track (new files not ignored), relative to ROOT. */
function repositoryFiles(paths: string[]): string[] {
  return git(['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...paths])
    .split('\0')
    .filter((f) => f !== '' && fs.existsSync(path.join(ROOT, f)));
}

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const commit = git(['rev-parse', '--short', 'HEAD']).trim();
  const dirty = git(['status', '--porcelain', '--untracked-files=no']).trim() !== '';
  return `${pkg.version}+${commit}${dirty ? '.dirty' : ''}`;
}

/** The newest modification time under `p` (files only; dot-folders and node_modules skipped). */
function newestFile(p: string): { file: string; ms: number } | null {
  if (!fs.existsSync(p)) return null;
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return { file: p, ms: stat.mtimeMs };
  let newest: { file: string; ms: number } | null = null;
  for (const entry of fs.readdirSync(p, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const found = newestFile(path.join(p, entry.name));
    if (found && (!newest || found.ms > newest.ms)) newest = found;
  }
  return newest;
}

/** Reuses dist/ when it is newer than its sources, else builds (or refuses with --no-build). */
function ensureBuild(build: boolean): void {
  const outputs = BUILD_OUTPUTS.map((f) => path.join(ROOT, f));
  const missing = outputs.filter((f) => !fs.existsSync(f));
  const newestSource = BUILD_INPUTS.map((p) => newestFile(path.join(ROOT, p))).reduce((a, b) => (b && (!a || b.ms > a.ms) ? b : a), null);
  const built = missing.length === 0 ? Math.min(...outputs.map((f) => fs.statSync(f).mtimeMs)) : 0;
  const why =
    missing.length > 0
      ? `${missing.map((f) => path.relative(ROOT, f)).join(', ')} missing`
      : newestSource && newestSource.ms > built
        ? `${path.relative(ROOT, newestSource.file)} changed after the build (${new Date(newestSource.ms).toISOString()} > ${new Date(built).toISOString()})`
        : null;
  if (why === null) {
    step(`reusing the build in dist/ (${new Date(built).toISOString()}; newer than every source file)`);
    return;
  }
  if (!build) fail(`the build in dist/ is not current: ${why}. Run \`npm run build\` first (or leave out --no-build).`);
  step(`npm run build (${why})`);
  run('npm', ['run', 'build'], ROOT);
}

/**
 * Runs a command, its output shown. npm starts through `#!/usr/bin/env node`: this process's Node
 * (24) goes first on PATH, so npm runs on it whatever the machine's own Node is.
 */
function run(command: string, args: string[], cwd: string): void {
  const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env['PATH'] ?? ''}` };
  const result = spawnSync(command, args, { cwd, env, stdio: 'inherit' });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}) in ${cwd}`);
}

function copyFiles(files: string[], from: string, to: string): void {
  for (const f of files) {
    const target = path.join(to, f);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(from, f), target);
    fs.chmodSync(target, fs.statSync(path.join(from, f)).mode & 0o777);
  }
}

/** The production dependencies for linux-<arch>, from the lockfile; sharp's native packages checked. */
function installDependencies(app: string, arch: Arch): void {
  step(`npm ci --omit=dev for linux-${arch} (glibc)`);
  run(
    'npm',
    ['ci', '--omit=dev', '--os=linux', `--cpu=${arch}`, '--libc=glibc', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
    app,
  );
  const modules = path.join(app, 'node_modules');
  for (const name of [`@img/sharp-linux-${arch}`, `@img/sharp-libvips-linux-${arch}`]) {
    if (!fs.existsSync(path.join(modules, name, 'package.json'))) fail(`${name} was not installed: sharp would not load on linux-${arch}`);
  }
  const img = fs.existsSync(path.join(modules, '@img')) ? fs.readdirSync(path.join(modules, '@img')) : [];
  const foreign = img.filter((n) => /^sharp-(libvips-)?linux/.test(n) && !n.endsWith(`linux-${arch}`));
  if (foreign.length > 0) fail(`another platform's sharp packages were installed: ${foreign.join(', ')}`);
  console.log(`  sharp for linux-${arch}: ${img.filter((n) => n.startsWith('sharp-')).join(', ')}`);
}

/**
 * Files not read at run time: source maps, read-mes and change logs. Type declarations stay: the
 * worker's site build runs `astro sync`, which reads some (astro/templates/content/types.d.ts).
 */
const PRUNED_FILE = /\.map$|^(readme|changelog|history|changes)(\.(md|markdown|txt))?$/i;
/** Folders not read at run time. */
const PRUNED_FOLDER = new Set(['.github']);

function prune(dir: string): number {
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (PRUNED_FOLDER.has(entry.name)) {
        bytes += sizeOf(p);
        fs.rmSync(p, { recursive: true });
      } else bytes += prune(p);
    } else if (entry.isFile() && PRUNED_FILE.test(entry.name)) {
      bytes += fs.statSync(p).size;
      fs.rmSync(p);
    }
  }
  return bytes;
}

function sizeOf(p: string): number {
  const stat = fs.lstatSync(p);
  if (!stat.isDirectory()) return stat.size;
  return fs.readdirSync(p).reduce((sum, name) => sum + sizeOf(path.join(p, name)), 0);
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Node for linux-<arch> from the npm registry (or npm's cache), checked to be an ELF binary of that architecture. */
function addNode(stage: string, arch: Arch): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
  const nodeVersion = pkg.devDependencies?.['node'];
  if (!nodeVersion || !/^\d+\.\d+\.\d+$/.test(nodeVersion))
    fail(`package.json pins no exact \`node\` devDependency (found ${nodeVersion})`);
  const spec = `node-linux-${arch}@${nodeVersion}`;
  step(`Node ${nodeVersion} for linux-${arch}: npm pack ${spec}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bundle-node-'));
  try {
    run('npm', ['pack', spec, '--pack-destination', tmp, '--silent'], tmp);
    const tarball = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tarball) fail(`npm pack ${spec} wrote no archive`);
    execFileSync('tar', ['-xzf', path.join(tmp, tarball), '-C', tmp]);
    const binary = path.join(tmp, 'package', 'bin', 'node');
    const header = Buffer.alloc(20);
    const fd = fs.openSync(binary, 'r');
    fs.readSync(fd, header, 0, 20, 0);
    fs.closeSync(fd);
    const machine = header.readUInt16LE(18);
    if (header.toString('latin1', 1, 4) !== 'ELF' || machine !== ARCHES[arch]) {
      fail(`${spec}'s bin/node is not a linux-${arch} executable (ELF machine ${machine})`);
    }
    fs.mkdirSync(path.join(stage, 'node', 'bin'), { recursive: true });
    fs.copyFileSync(binary, path.join(stage, 'node', 'bin', 'node'));
    fs.chmodSync(path.join(stage, 'node', 'bin', 'node'), 0o755);
    const license = path.join(tmp, 'package', 'LICENSE');
    if (fs.existsSync(license)) fs.copyFileSync(license, path.join(stage, 'node', 'LICENSE'));
    return nodeVersion;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** bin/ from deploy/bin; install.sh at the top; the rest of deploy/ (systemd, nginx, the settings template) under deploy/. */
function addDeployment(stage: string): void {
  const files = repositoryFiles(['deploy']).map((f) => path.relative('deploy', f));
  const commands = files.filter((f) => f.startsWith(`bin${path.sep}`));
  if (!commands.some((f) => f === path.join('bin', 'portal-web'))) fail('deploy/bin/portal-web is missing');
  copyFiles(commands, path.join(ROOT, 'deploy'), stage);
  const installer = files.includes('install.sh');
  if (installer) copyFiles(['install.sh'], path.join(ROOT, 'deploy'), stage);
  const rest = files.filter((f) => !f.startsWith(`bin${path.sep}`) && f !== 'install.sh');
  copyFiles(rest, path.join(ROOT, 'deploy'), path.join(stage, 'deploy'));
  step(
    `bin/: ${commands.map((f) => path.basename(f)).join(' ')}; ${installer ? 'install.sh; ' : 'no install.sh yet; '}deploy/: ${rest.length} files`,
  );
}

function main(): void {
  const options = parseOptions();
  const started = performance.now();
  ensureBuild(options.build);
  const v = version();
  const name = `chuangcheng-portal-${v}-linux-${options.arch}`;
  const stage = path.join(options.out, name);
  const archive = `${stage}.tar.gz`;
  step(`staging ${path.relative(process.cwd(), stage) || stage}`);
  fs.rmSync(stage, { recursive: true, force: true });
  const app = path.join(stage, 'app');
  fs.mkdirSync(app, { recursive: true });
  const appFiles = repositoryFiles(APP_PATHS).filter((f) => !DEV_ONLY.has(f));
  copyFiles(appFiles, ROOT, app);
  fs.cpSync(path.join(ROOT, 'dist'), path.join(app, 'dist'), { recursive: true });
  console.log(`  app/: ${appFiles.length} files from the repository and dist/`);

  installDependencies(app, options.arch);
  const before = sizeOf(path.join(app, 'node_modules'));
  const pruned = prune(path.join(app, 'node_modules'));
  console.log(`  node_modules: ${mb(before - pruned)} (${mb(pruned)} of source maps and read-mes removed)`);

  const nodeVersion = addNode(stage, options.arch);
  addDeployment(stage);
  fs.writeFileSync(path.join(stage, 'VERSION'), `${v}\n`);

  step(`tar + gzip → ${archive}`);
  const partial = `${archive}.partial`;
  execFileSync('tar', [
    '--create',
    '--gzip',
    '--file',
    partial,
    '--directory',
    options.out,
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--sort=name',
    name,
  ]);
  fs.renameSync(partial, archive);
  const unpacked = sizeOf(stage);
  if (!options.keepStaging) fs.rmSync(stage, { recursive: true });
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(
    `✓ ${archive}\n  ${mb(fs.statSync(archive).size)} compressed, ${mb(unpacked)} unpacked; Node ${nodeVersion} linux-${options.arch}; version ${v}; ${seconds} s`,
  );
}

main();
