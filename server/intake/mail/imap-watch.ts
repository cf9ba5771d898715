// Listens on the dedicated mailbox with IMAP IDLE when the server offers it, so a resident's mail
// becomes a ticket (and is acknowledged) within seconds instead of at the next worker pass. The
// worker still reads the mailbox every pass: the watcher only wakes it early, and when the server
// has no IDLE, or the connection is down, polling is what remains.
//
// The connection is kept open on the inbox (read-only: EXAMINE, nothing is changed through it);
// when it drops, the watcher reconnects with exponential back-off (1 s, 2 s, 4 s … up to 5 min),
// and starts again from 1 s once a connection has held for a minute. Every (re)connection reads
// the mailbox once, to catch up on what arrived while it was down.
import { ImapFlow } from 'imapflow';
import type { ImapSettings } from './imap-intake.ts';
import type { MailboxMode } from './mailbox-status.ts';

export interface WatchOptions {
  settings: ImapSettings;
  /** Reads the mailbox (the worker's mailbox job); called when mail arrives, never twice at once. */
  onNewMail: () => Promise<unknown>;
  /** Told when listening starts or stops (for the console's health view). */
  onMode?: (mode: MailboxMode, error?: unknown) => Promise<void> | void;
  log?: { info(message: string): void; error(message: string, error: unknown): void };
  backoff?: { initialMs: number; maxMs: number; resetAfterMs: number };
  /** Restart IDLE this often, so that NAT boxes and servers do not drop a quiet connection. */
  maxIdleMs?: number;
}

export interface MailboxWatcher {
  start(): void;
  /** Closes the connection and waits for a read in progress to finish. */
  stop(): Promise<void>;
  /** Whether a connection is listening now. */
  readonly listening: boolean;
}

const DEFAULT_BACKOFF = { initialMs: 1000, maxMs: 5 * 60 * 1000, resetAfterMs: 60 * 1000 };

export function createMailboxWatcher(options: WatchOptions): MailboxWatcher {
  const { settings } = options;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const log = options.log ?? { info: () => {}, error: () => {} };
  let stopped = false;
  let imap: ImapFlow | null = null;
  let listening = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;

  // Reads never overlap; mail arriving during a read asks for one more read after it.
  let reading: Promise<void> | null = null;
  let again = false;
  function newMail(): void {
    if (stopped) return;
    if (reading) {
      again = true;
      return;
    }
    reading = (async () => {
      do {
        again = false;
        try {
          await options.onNewMail();
        } catch (error) {
          log.error('[mailbox] reading after new mail failed (the next worker pass tries again):', error);
        }
      } while (again && !stopped);
    })().finally(() => {
      reading = null;
    });
  }

  async function mode(m: MailboxMode, error?: unknown): Promise<void> {
    try {
      await options.onMode?.(m, error);
    } catch (e) {
      log.error('[mailbox] could not record the mailbox state:', e);
    }
  }

  /** One connection's life: resolves when it closes; 'no-idle' when the server cannot listen. */
  async function listenOnce(): Promise<'closed' | 'no-idle'> {
    const client = new ImapFlow({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      auth: { user: settings.user, pass: settings.password },
      logger: false,
      connectionTimeout: 30_000,
      greetingTimeout: 15_000,
      maxIdleTime: options.maxIdleMs ?? 5 * 60 * 1000,
      // This connection does nothing else: IDLE at once rather than after imapflow's 15 s pause.
      autoIdleDelay: 200,
    });
    let lastError: unknown;
    client.on('error', (error: unknown) => {
      lastError = error;
    });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    imap = client;
    try {
      await client.connect();
      if (!client.capabilities.has('IDLE')) {
        await client.logout().catch(() => client.close());
        return 'no-idle';
      }
      await client.mailboxOpen(settings.inbox, { readOnly: true });
      client.on('exists', (data: { count: number; prevCount: number }) => {
        if (data.count > data.prevCount) newMail();
      });
    } catch (error) {
      client.close();
      throw error;
    }
    listening = true;
    await mode('idle');
    log.info(`[mailbox] listening for new mail on ${settings.inbox} (IMAP IDLE)`);
    newMail(); // what arrived while nobody listened
    await closed;
    listening = false;
    imap = null;
    if (!stopped) throw lastError ?? new Error('the IMAP server closed the connection');
    return 'closed';
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref?.();
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });
  }

  async function run(): Promise<void> {
    let delay = backoff.initialMs;
    while (!stopped) {
      const began = Date.now();
      try {
        const end = await listenOnce();
        if (end === 'no-idle') {
          await mode('poll', new Error('邮件服务器不支持 IDLE，按工作进程的周期轮询'));
          log.info('[mailbox] the server offers no IDLE: the mailbox is read once per worker pass');
          return;
        }
      } catch (error) {
        if (stopped) break;
        listening = false;
        if (Date.now() - began >= backoff.resetAfterMs) delay = backoff.initialMs;
        await mode('poll', error);
        log.error(`[mailbox] connection lost; reconnecting in ${Math.round(delay / 1000)} s:`, error);
        await sleep(delay);
        delay = Math.min(delay * 2, backoff.maxMs);
      }
    }
  }

  return {
    start() {
      if (loop || stopped) return;
      loop = run();
    },
    async stop() {
      stopped = true;
      wake?.();
      const client = imap;
      if (client) await client.logout().catch(() => client.close());
      await loop;
      await reading;
      if (listening) listening = false;
      await mode('poll');
    },
    get listening() {
      return listening;
    },
  };
}
