// PostgreSQL's own programs for a backup and a restore: `pg_dump -Fc` (a consistent snapshot
// while the portal writes: one transaction), `pg_restore --list` (is the dump readable?) and
// `pg_restore` into an empty database. They come with the PostgreSQL client package
// (Debian: postgresql-client); when one is missing the error says which and how to install it.
import { spawn } from 'node:child_process';

export class MissingProgramError extends Error {
  constructor(program: string) {
    super(
      `找不到 ${program} 程序：备份和恢复 PostgreSQL 数据库需要安装 PostgreSQL 客户端（Debian/Ubuntu：apt-get install postgresql-client，版本不低于数据库服务器）。` +
        ` / ${program} is not installed: backing up and restoring PostgreSQL needs the PostgreSQL client programs (Debian: apt-get install postgresql-client, at least the server's version).`,
    );
    this.name = 'MissingProgramError';
  }
}

/**
 * The database URL without its password, and the password in PGPASSWORD: a command line is
 * readable by every user of the machine (`ps`), the environment of a process is not.
 */
function connection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { dbname: parsed.toString(), env: password ? { ...process.env, PGPASSWORD: password } : process.env };
}

/** Runs `program` with `args`; resolves with its output, rejects with its error output when it fails. */
function run(program: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new MissingProgramError(program) : error));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${program} exited with ${code}: ${Buffer.concat(err).toString('utf8').trim()}`));
    });
  });
}

/** `pg_dump -Fc` of the database at `url` into `file`. */
export async function pgDump(url: string, file: string): Promise<void> {
  const { dbname, env } = connection(url);
  await run('pg_dump', ['--format=custom', '--no-owner', '--file', file, '--dbname', dbname], env);
}

/** Why `pg_restore --list` cannot read the dump (or cannot run), or null when it can. */
export async function pgDumpProblem(file: string): Promise<string | null> {
  try {
    await run('pg_restore', ['--list', file]);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Restores the dump into the database at `url`; `clean` drops what is there first. */
export async function pgRestore(url: string, file: string, options: { clean: boolean }): Promise<void> {
  const { dbname, env } = connection(url);
  await run(
    'pg_restore',
    ['--no-owner', '--no-privileges', '--exit-on-error', ...(options.clean ? ['--clean', '--if-exists'] : []), '--dbname', dbname, file],
    env,
  );
}
