// The log on a developer's terminal: one short line per entry instead of JSON — time, level,
// message, the other fields as key=value, and an error's stack below it. Used only when the output
// is a terminal and NODE_ENV is not production (log.ts); a deployment's journal gets JSON lines.

const LEVEL_TAGS: Record<string, string> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO ',
  warn: 'WARN ',
  error: 'ERROR',
  fatal: 'FATAL',
};
const LEFT_OUT = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'err']);

function shown(value: unknown): string {
  return typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value);
}

/** One JSON log line as a short human line (or the line as it is, should it not be JSON). */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof entry['time'] === 'string' ? entry['time'].slice(11, 23) : '';
  const level = LEVEL_TAGS[String(entry['level'])] ?? String(entry['level']);
  const fields = Object.entries(entry)
    .filter(([key, value]) => !LEFT_OUT.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${shown(value)}`);
  const err = entry['err'] as { stack?: string; message?: string } | undefined;
  const stack = err ? `\n    ${(err.stack ?? err.message ?? JSON.stringify(err)).replaceAll('\n', '\n    ')}` : '';
  return `${time} ${level} ${String(entry['msg'] ?? '')}${fields.length ? `  ${fields.join(' ')}` : ''}${stack}\n`;
}
