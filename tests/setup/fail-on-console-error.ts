// DESIGN "Conventions": a test that prints a console error fails. A test that expects an error
// to be logged says so with `expectConsoleError()`. The server logs through its logger
// (server/observability/log.ts), not the console: here the logger writes into a list instead,
// fresh for each test, and its error lines count as printed errors. `loggedLines()` is what it
// wrote during the test, as parsed JSON, for a test that checks what was said.
import { afterEach, beforeEach, vi } from 'vitest';
import { configureLogging } from '../../server/observability/log.ts';

export type LoggedLine = { level: string; msg: string; err?: { message?: string; stack?: string } } & Record<string, unknown>;

let expected = 0;
let printed: unknown[][] = [];
let logged: LoggedLine[] = [];

export function expectConsoleError(count = 1): void {
  expected += count;
}

/** The log lines written so far in this test (debug and up). */
export function loggedLines(level?: string): LoggedLine[] {
  return level ? logged.filter((line) => line.level === level) : logged;
}

beforeEach(() => {
  expected = 0;
  printed = [];
  const lines: LoggedLine[] = [];
  logged = lines;
  configureLogging({ level: 'debug', output: { write: (line) => void lines.push(JSON.parse(line) as LoggedLine) } });
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    printed.push(args);
  });
});

afterEach(() => {
  vi.mocked(console.error).mockRestore();
  const errors = [
    ...printed.map((args) => args.map(String).join(' ')),
    ...logged
      .filter((line) => line.level === 'error' || line.level === 'fatal')
      .map((line) => `${line.msg}${line.err?.message ? `: ${line.err.message}` : ''}`),
  ];
  if (errors.length > expected) {
    throw new Error(`${errors.length} error(s) were printed or logged, expected ${expected}:\n${errors.join('\n')}`);
  }
});
