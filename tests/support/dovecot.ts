// A real IMAP server for tests: Debian's Dovecot with its own configuration in a temporary
// folder, on 127.0.0.1 and a free high port, one passwd-file user, maildir storage owned by
// `nobody` (TOOLCHAIN.md, "Mail"). `npm test` installs dovecot-imapd when it is missing.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export const DOVECOT_BINARY = '/usr/sbin/dovecot';
const NOBODY = 65534;

export interface TestImapServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The server's own log, for a failing test to print. */
  log(): string;
  stop(): Promise<void>;
}

export function dovecotAvailable(): boolean {
  return fs.existsSync(DOVECOT_BINARY);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function config(dir: string, port: number, instance: string): string {
  return `
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = ${instance}
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/mail/%u
mail_uid = ${NOBODY}
mail_gid = ${NOBODY}
first_valid_uid = ${NOBODY}
first_valid_gid = ${NOBODY}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${NOBODY} gid=${NOBODY} home=${dir}/mail/%u
}
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
}

async function waitForPort(port: number, child: ChildProcess, logFile: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
  throw new Error(`Dovecot did not start on port ${port}:\n${log}`);
}

export async function startDovecot(): Promise<TestImapServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-dovecot-'));
  const port = await freePort();
  const password = randomBytes(9).toString('base64url');
  const user = 'portal';
  for (const sub of ['run', 'state', 'mail']) fs.mkdirSync(path.join(dir, sub));
  fs.chmodSync(dir, 0o755);
  fs.chownSync(path.join(dir, 'mail'), NOBODY, NOBODY);
  fs.writeFileSync(path.join(dir, 'users'), `${user}:{PLAIN}${password}\n`);
  const conf = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(conf, config(dir, port, `portal-test-${path.basename(dir)}`));
  const child = spawn(DOVECOT_BINARY, ['-F', '-c', conf], { stdio: 'ignore' });
  const logFile = path.join(dir, 'dovecot.log');
  await waitForPort(port, child, logFile);
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
