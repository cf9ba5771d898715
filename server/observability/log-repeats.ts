// Repeated identical errors collapsed (issue 18 item 4): a database that is away fails every
// request the same way, and a thousand identical stacks hide the one line that differs. The first
// occurrence of a (level, message, error message) is written; more of it within the window are
// only counted, and when the window ends one line says how many there were. The timer is unref'd
// (it keeps no process alive); `flush` writes the counts at once (at shutdown).

export interface RepeatableLine {
  level: 'warn' | 'error';
  message: string;
  /** The error's message, when the line has an error. */
  error?: string;
}

export interface RepeatCollapser {
  /** Whether to write this line now (true), or count it as a repeat of one written in the window. */
  admit(line: RepeatableLine): boolean;
  /** Writes the count of every window still open, and closes them. */
  flush(): void;
}

export interface RepeatOptions {
  windowMs: number;
  /** Told at the end of a window in which the line came again `count` more times. */
  repeated(line: RepeatableLine, count: number): void;
  /** Distinct lines followed at once; past it, new lines are written without collapsing (1000). */
  maxLines?: number;
}

export function createRepeatCollapser(options: RepeatOptions): RepeatCollapser {
  const maxLines = options.maxLines ?? 1000;
  const open = new Map<string, { line: RepeatableLine; count: number; timer: NodeJS.Timeout }>();

  function close(key: string): void {
    const window = open.get(key);
    if (!window) return;
    open.delete(key);
    clearTimeout(window.timer);
    if (window.count > 0) options.repeated(window.line, window.count);
  }

  return {
    admit(line) {
      const key = JSON.stringify([line.level, line.message, line.error ?? null]);
      const window = open.get(key);
      if (window) {
        window.count++;
        return false;
      }
      if (open.size >= maxLines) return true;
      const timer = setTimeout(() => close(key), options.windowMs);
      timer.unref();
      open.set(key, { line, count: 0, timer });
      return true;
    },
    flush() {
      for (const key of [...open.keys()]) close(key);
    },
  };
}
