// Reads the dedicated mailbox over IMAP (imapflow): each run connects, takes up to `maxPerRun`
// messages from the inbox with PEEK (nothing is marked read), hands each raw message to the mail
// pipeline, and only after the pipeline has committed its outcome moves the message: to the
// processed folder, or to the quarantine folder with the reason recorded by the pipeline. A
// message whose handling throws stays in the inbox for the next run, so nothing is lost; the
// pipeline's dedupe (Message-ID, else content hash) makes a message handled twice — after a
// crash between commit and move — come out as its first outcome, never a second ticket.
// Each run opens its own connection, so a dropped connection costs one run, not the worker. Runs
// never overlap within a process (the worker's pass and the IDLE watcher, imap-watch.ts, both
// ask for them): a run asked for while one is going starts after it.
import { ImapFlow } from 'imapflow';
import type { MailOutcome } from './mail-decision.ts';

export interface ImapSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  inbox: string;
  processedFolder: string;
  quarantineFolder: string;
  /** Messages handled per run at most, so one run stays short. */
  maxPerRun: number;
  /** Listen with IMAP IDLE between worker passes when the server offers it (imap-watch.ts). */
  idle: boolean;
}

/** The pipeline: handles one raw message and says what it became (after committing it). */
export type HandleMail = (raw: Buffer, source: { uid: number }) => Promise<{ outcome: MailOutcome; reason?: string }>;

export interface ImapRun {
  handled: number;
  quarantined: number;
  /** Messages left in the inbox because handling them failed; tried again next run. */
  failed: number;
  remaining: number;
}

/** Settings from `imap://user:password@host:143` or `imaps://…:993` (user and password URL-encoded). */
export function imapSettingsFromUrl(
  url: string,
  folders: Partial<Pick<ImapSettings, 'inbox' | 'processedFolder' | 'quarantineFolder' | 'maxPerRun' | 'idle'>> = {},
): ImapSettings {
  const u = new URL(url);
  if (u.protocol !== 'imap:' && u.protocol !== 'imaps:') throw new Error('MAIL_IMAP_URL must start with imap:// or imaps://');
  const secure = u.protocol === 'imaps:';
  return {
    host: u.hostname,
    port: Number(u.port || (secure ? 993 : 143)),
    secure,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    inbox: folders.inbox ?? 'INBOX',
    processedFolder: folders.processedFolder ?? 'Processed',
    quarantineFolder: folders.quarantineFolder ?? 'Quarantine',
    maxPerRun: folders.maxPerRun ?? 50,
    idle: folders.idle ?? true,
  };
}

export function createImapIntake(settings: ImapSettings, handle: HandleMail) {
  function client(): ImapFlow {
    return new ImapFlow({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      auth: { user: settings.user, pass: settings.password },
      logger: false,
      connectionTimeout: 30_000,
      greetingTimeout: 15_000,
      socketTimeout: 120_000,
    });
  }

  async function ensureFolder(imap: ImapFlow, folder: string): Promise<void> {
    const existing = await imap.list();
    if (!existing.some((box) => box.path === folder)) await imap.mailboxCreate(folder);
  }

  let previous: Promise<unknown> = Promise.resolve();
  function runOnce(): Promise<ImapRun> {
    const next = previous.catch(() => {}).then(run);
    previous = next;
    return next;
  }

  async function run(): Promise<ImapRun> {
    const imap = client();
    // A dropped connection surfaces as an 'error' event; without a listener it would crash the
    // process. The run's own awaits then fail, and the next run reconnects.
    imap.on('error', () => {});
    await imap.connect();
    const run: ImapRun = { handled: 0, quarantined: 0, failed: 0, remaining: 0 };
    try {
      await ensureFolder(imap, settings.processedFolder);
      await ensureFolder(imap, settings.quarantineFolder);
      const lock = await imap.getMailboxLock(settings.inbox);
      try {
        const uids = (await imap.search({ all: true }, { uid: true })) || [];
        const batch = uids.slice(0, settings.maxPerRun);
        run.remaining = uids.length - batch.length;
        for (const uid of batch) {
          const message = await imap.fetchOne(String(uid), { source: true }, { uid: true });
          if (!message || !message.source) continue;
          let outcome: MailOutcome;
          try {
            outcome = (await handle(message.source, { uid })).outcome;
          } catch {
            run.failed++;
            continue;
          }
          const folder = outcome === 'quarantined' ? settings.quarantineFolder : settings.processedFolder;
          await imap.messageMove(String(uid), folder, { uid: true });
          run.handled++;
          if (outcome === 'quarantined') run.quarantined++;
        }
      } finally {
        lock.release();
      }
    } finally {
      await imap.logout().catch(() => imap.close());
    }
    return run;
  }

  return { runOnce };
}
