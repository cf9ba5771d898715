// One sender however they tag their address (issue 11 item 6): `victim+1@example.net` …
// `victim+4@example.net` all reach victim@example.net, so the mailbox's per-sender caps (new
// tickets, acknowledgements) count them as one. Pure.

/** "Victim+Tag@Example.NET" → "victim@example.net": lower-cased, the +tag of the local part removed. */
export function senderKey(address: string): string {
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at <= 0) return lower;
  const local = lower.slice(0, at);
  const plus = local.indexOf('+');
  return `${plus > 0 ? local.slice(0, plus) : local}${lower.slice(at)}`;
}

/** "victim@Example.NET" → "example.net"; null without one. */
export function senderDomain(address: string): string | null {
  const at = address.lastIndexOf('@');
  const domain =
    at >= 0
      ? address
          .slice(at + 1)
          .trim()
          .toLowerCase()
      : '';
  return domain || null;
}

/** Text for a LIKE pattern with `\` as the escape character: its own % and _ match only themselves. */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The LIKE pattern (escape `\`) of every tagged form of a sender key: "victim@example.net" →
 * "victim+%@example.net". The untagged address itself is matched by equality.
 */
export function taggedPattern(key: string): string | null {
  const at = key.lastIndexOf('@');
  return at > 0 ? `${likeEscape(key.slice(0, at))}+%${likeEscape(key.slice(at))}` : null;
}
