// DESIGN "Conventions": a test that prints a console error fails. A test that expects an error
// to be logged says so with `expectConsoleError()`.
import { afterEach, beforeEach, vi } from 'vitest';

let expected = 0;
let printed: unknown[][] = [];

export function expectConsoleError(count = 1): void {
  expected += count;
}

beforeEach(() => {
  expected = 0;
  printed = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    printed.push(args);
  });
});

afterEach(() => {
  vi.mocked(console.error).mockRestore();
  if (printed.length > expected) {
    const shown = printed.map((args) => args.map(String).join(' ')).join('\n');
    throw new Error(`console.error was called ${printed.length} time(s), expected ${expected}:\n${shown}`);
  }
});
