// One sender however they tag their address (issue 11 item 6): `victim+1@example.net` …
// `victim+4@example.net` all reach victim@example.net, so the mailbox's per-sender caps (new
// tickets, acknowledgements) count them as one. Pure. The rule lives with the stored addresses'
// keyed hashes (server/db/personal-data.ts): the caps count by the hash of the sender key.
import { mailAddressKey } from '../../db/personal-data.ts';

/** "Victim+Tag@Example.NET" → "victim@example.net": lower-cased, the +tag of the local part removed. */
export function senderKey(address: string): string {
  return mailAddressKey(address);
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
