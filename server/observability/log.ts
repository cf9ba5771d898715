// The one logger of the server (issue 18 item 4): pino, JSON lines — on standard output for
// `npm start` (systemd's journal collects it), also in LOG_FILE when set — and short human lines
// on a developer's terminal (log-pretty.ts). Every line carries the ids of the work it belongs to
// (log-context.ts: reqId, pass, job, runId), is stripped of personal data (log-mask.ts) and, for
// warnings and errors, collapsed when it repeats (log-repeats.ts).
//
// Code logs through `log` (info/warn/error/debug); it has the shape of the `{ info, error }` logs
// the worker's parts take, so it is passed to them as it is. Until `configureLogging` is called
// (server/main.ts, the scripts, the test setup), lines go as JSON to standard error at info: a
// script's standard output stays what the operator asked for.
//
// Why not pino's own `redact`: it takes paths (`password`, `*.password`) to a fixed depth, while
// what must go is any key that names personal data, at any depth, and every string must be masked
// anyway — one walk over the fields (log-mask.ts, as pino's `formatters.log`) does both.
import pino, { type DestinationStream, type Logger } from 'pino';
import { logContext } from './log-context.ts';
import type { LogLevel } from './log-env.ts';
import { maskLogFields, maskText } from './log-mask.ts';
import { prettyLine } from './log-pretty.ts';
import { createRepeatCollapser, type RepeatCollapser, type RepeatableLine } from './log-repeats.ts';

export type LogFields = Record<string, unknown>;

export interface Log {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  /** An error: its message and stack are logged (masked) under `err`. */
  error(message: string, error?: unknown, fields?: LogFields): void;
}

/** Where lines go: a standard stream of the process, or (tests) anything that takes lines. */
export type LogOutput = 'stdout' | 'stderr' | { write(line: string): void };

export interface LoggingOptions {
  level: LogLevel;
  /** Also append JSON lines to this file. */
  file?: string | null;
  output?: LogOutput;
  /** JSON lines even when the output is a terminal. */
  production?: boolean;
  /** How long identical warnings and errors are counted instead of written (60 s). */
  repeatWindowMs?: number;
}

interface Logging {
  logger: Logger;
  repeats: RepeatCollapser;
  file: pino.DestinationStream & { flushSync?(): void; end?(): void };
}

function outputStream(output: LogOutput, production: boolean): DestinationStream {
  if (typeof output === 'object') return output;
  const terminal = output === 'stdout' ? process.stdout.isTTY : process.stderr.isTTY;
  const destination = pino.destination({ dest: output === 'stdout' ? 1 : 2, sync: true });
  if (!terminal || production) return destination;
  return { write: (line: string) => destination.write(prettyLine(line)) };
}

function createLogging(options: LoggingOptions): Logging {
  const streams: pino.StreamEntry[] = [{ level: 'trace', stream: outputStream(options.output ?? 'stderr', options.production ?? false) }];
  const file = options.file ? pino.destination({ dest: options.file, sync: true, mkdir: true, append: true }) : null;
  if (file) streams.push({ level: 'trace', stream: file });
  const logger = pino(
    {
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: () => ({ ...logContext() }),
      // Errors are already reduced to what may be shown (log-mask.ts); pino's own would rename them.
      serializers: { err: (err: unknown) => err },
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => maskLogFields(fields),
      },
    },
    pino.multistream(streams),
  );
  const repeats = createRepeatCollapser({
    windowMs: options.repeatWindowMs ?? 60_000,
    repeated: (line: RepeatableLine, count: number) =>
      logger[line.level](
        { repeated: count, ...(line.error !== undefined && { error: line.error }) },
        `${line.message} (repeated ${count} more time${count === 1 ? '' : 's'})`,
      ),
  });
  return { logger, repeats, file: file ?? { write: () => {} } };
}

let current: Logging = createLogging({ level: 'info' });

/** Sets where and what the log writes (LOG_LEVEL, LOG_FILE); lines still counted as repeats are written first. */
export function configureLogging(options: LoggingOptions): void {
  const previous = current;
  previous.repeats.flush();
  current = createLogging(options);
  previous.file.end?.();
}

/** Writes the counts of repeated lines and flushes the file: before the process exits. */
export function flushLogs(): void {
  current.repeats.flush();
  current.file.flushSync?.();
}

function errorMessage(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  return maskText(error instanceof Error ? error.message : String(error));
}

function write(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields: LogFields | undefined, error?: unknown): void {
  const { logger, repeats } = current;
  if (!logger.isLevelEnabled(level)) return;
  const msg = maskText(message);
  const err = error ?? (level === 'warn' ? fields?.['err'] : undefined);
  if ((level === 'warn' || level === 'error') && !repeats.admit({ level, message: msg, error: errorMessage(err) })) return;
  logger[level]({ ...fields, ...(error !== undefined && { err: error }) }, msg);
}

export const log: Log = {
  debug: (message, fields) => write('debug', message, fields),
  info: (message, fields) => write('info', message, fields),
  warn: (message, fields) => write('warn', message, fields),
  error: (message, error, fields) => write('error', message, fields, error),
};
