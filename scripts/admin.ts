// Staff account administration from the command line — how the first administrator is made.
//   npm run admin -- create-user --username admin --name 张三 --role admin   (password asked, or
//     from the ADMIN_PASSWORD environment variable, or piped with --password-stdin)
//   npm run admin -- create-user --username zjj01 --name 李四 --role unit --unit zhujianju
//   npm run admin -- set-password --username admin
//     (add --temporary to either to make the person change the password at their next sign-in)
//   npm run admin -- reset-2fa --username admin   (a lost phone: the person enrols again at sign-in)
//   npm run admin -- list-users
//   npm run admin -- throttles                    (who is limited now: login, tracking, reports, uploads)
//   npm run admin -- clear-throttle --scope login-account --key zjj01   (lift one block)
// Uses the same settings as `npm start` (DATA_DIR, DATABASE_URL, CONTENT_DIR).
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createPortal, portalOptions } from '../server/app.ts';
import { ROLES, ROLE_LABELS } from '../server/auth/roles.ts';
import { readEnv } from '../server/env.ts';
import { configureLogging } from '../server/observability/log.ts';
import { THROTTLE_SCOPES, type ThrottleScope } from '../server/throttle/throttles.ts';

const USAGE = `Usage:
  npm run admin -- create-user --username NAME --name DISPLAY --role ${ROLES.join('|')} [--unit UNIT_CODE] [--password-stdin] [--temporary]
  npm run admin -- set-password --username NAME [--password-stdin] [--temporary]
  npm run admin -- reset-2fa --username NAME
  npm run admin -- list-users
  npm run admin -- throttles
  npm run admin -- clear-throttle --scope ${THROTTLE_SCOPES.join('|')} --key ADDRESS_USERNAME_OR_NUMBER`;

async function readPassword(fromStdin: boolean): Promise<string> {
  if (process.env['ADMIN_PASSWORD']) return process.env['ADMIN_PASSWORD'];
  if (fromStdin || !process.stdin.isTTY) {
    let input = '';
    for await (const chunk of process.stdin) input += String(chunk);
    return input.replace(/\r?\n$/, '');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const ask = (q: string) => new Promise<string>((resolve) => rl.question(q, resolve));
  // Hide what is typed: the prompt is written, then echo is suppressed.
  const output = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
  output._writeToOutput = (s: string) => {
    if (s.startsWith('密码') || s.startsWith('再次')) output.output.write(s);
  };
  const first = await ask('密码 / password: ');
  process.stdout.write('\n');
  const second = await ask('再次输入 / again: ');
  process.stdout.write('\n');
  rl.close();
  if (first !== second) throw new Error('The two passwords differ.');
  return first;
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      unit: { type: 'string' },
      scope: { type: 'string' },
      key: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      temporary: { type: 'boolean', default: false },
    },
  });
  if (!command || !['create-user', 'set-password', 'reset-2fa', 'list-users', 'throttles', 'clear-throttle'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const env = readEnv();
  // What server code logs goes to standard error (and LOG_FILE): standard output is the command's.
  configureLogging(env.log);
  const portal = await createPortal(portalOptions(env));
  const { accounts } = portal.services;
  try {
    if (command === 'list-users') {
      for (const u of await accounts.listUsers()) {
        const state = [
          u.active ? 'active' : 'inactive',
          u.secondFactor ? '2fa' : 'no-2fa',
          ...(u.mustChangePassword ? ['must-change-password'] : []),
        ];
        console.log([u.id, u.username, u.displayName, ROLE_LABELS[u.role], u.unitCode ?? '', state.join(',')].join('\t'));
      }
      return 0;
    }
    if (command === 'throttles') {
      const standing = await portal.throttles.standing();
      if (standing.length === 0) console.log('no client has used any throttled allowance in its window');
      for (const s of standing) {
        const state = s.retryAfterSeconds > 0 ? `refused for ${s.retryAfterSeconds} s more` : 'allowed';
        console.log([s.scope, s.key, `${s.used}/${s.limit}`, state].join('\t'));
      }
      return 0;
    }
    if (command === 'clear-throttle') {
      if (!values.scope || !THROTTLE_SCOPES.includes(values.scope as ThrottleScope) || !values.key) {
        throw new Error(`--scope (${THROTTLE_SCOPES.join(', ')}) and --key are required`);
      }
      const removed = await portal.throttles.clear(values.scope as ThrottleScope, values.key);
      console.log(removed > 0 ? `cleared ${values.scope} for ${values.key}` : `nothing counted for ${values.scope} ${values.key}`);
      return 0;
    }
    if (!values.username) throw new Error('--username is required');
    if (command === 'create-user') {
      if (!values.name || !values.role) throw new Error('--name and --role are required');
      const user = await accounts.createUser(
        {
          username: values.username,
          displayName: values.name,
          role: values.role as (typeof ROLES)[number],
          unitCode: values.unit ?? null,
          password: await readPassword(values['password-stdin']),
        },
        { temporaryPassword: values.temporary },
      );
      console.log(`created user #${user.id} ${user.username} (${ROLE_LABELS[user.role]})`);
      return 0;
    }
    const user = (await accounts.listUsers()).find((u) => u.username === values.username);
    if (!user) throw new Error(`no user ${values.username}`);
    if (command === 'reset-2fa') {
      await accounts.resetSecondFactor(null, user.id);
      console.log(`second factor of ${user.username} removed; their sessions are signed out`);
      return 0;
    }
    await accounts.updateUser(user.id, { password: await readPassword(values['password-stdin']) }, { temporaryPassword: values.temporary });
    console.log(
      `password of ${user.username} changed${values.temporary ? ' (to be changed at the next sign-in)' : ''}; their sessions are signed out`,
    );
    return 0;
  } finally {
    await portal.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
