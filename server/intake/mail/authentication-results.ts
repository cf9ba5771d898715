// Whether the receiving mail server vouched for a mail's sender (issue 11 item 6): the
// Authentication-Results headers (RFC 8601) it added, read from that server only. A mail's From is
// whatever its sender typed; acknowledging every new report would let anyone make the portal mail
// a stranger ("backscatter"), so the intake acknowledges only a sender this check confirms.
//
// Parsing is lenient (real servers bend the grammar: Microsoft puts results before the
// authserv-id, Yahoo adds stray words): comments in parentheses, quoted strings, several results
// per header and several headers, any case. What does not parse is simply not a result.
//
// Trust: a header counts only when its authserv-id is one of ours (MAIL_AUTHSERV_ID); anyone can
// write an Authentication-Results header into the mail they send, naming any server. RFC 8601 §5
// makes the receiving server remove incoming headers that carry its own authserv-id (see
// docs/operations.md); as a second guard, a trusted dmarc=fail for the From domain overrides any
// pass, so a forged pass next to the server's real verdict is not believed.
//
// Alignment (kept simple, no public-suffix list): the From domain must be the domain a pass is
// about (dmarc: header.from) or, for dkim (header.d, or the domain of header.i) and spf (the
// domain of smtp.mailfrom), that domain or a subdomain of it — `mail.example.com` is aligned with
// a signature by `example.com`, not the other way round: whoever holds example.com holds what is
// under it, while a subdomain's owner (a free-DNS user under someone else's name) holds nothing
// above it. Pure.

export interface AuthResult {
  /** Lower-case, e.g. 'dkim', 'spf', 'dmarc'. */
  method: string;
  /** The method's version when written (`dkim/1=pass`). */
  version: string | null;
  /** Lower-case, e.g. 'pass', 'fail', 'none'. */
  result: string;
  reason: string | null;
  /** `ptype.property` (lower-case, e.g. 'header.d', 'smtp.mailfrom') → its value as written, unquoted; the first of a name wins. */
  properties: Record<string, string>;
}

export interface AuthenticationResults {
  /** As written (compare case-insensitively). */
  authservId: string;
  results: AuthResult[];
}

type Token = { kind: 'word'; text: string } | { kind: 'quoted'; text: string } | { kind: '=' };

/**
 * The segments of a header value between semicolons, each as tokens: comments dropped (nested,
 * with quoted pairs), quoted strings kept whole (a ';' or '(' inside one is text), words split at
 * white space and '='.
 */
function lex(value: string): Token[][] {
  const segments: Token[][] = [];
  let tokens: Token[] = [];
  let word = '';
  const endWord = () => {
    if (word) tokens.push({ kind: 'word', text: word });
    word = '';
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '(') {
      endWord();
      let depth = 1;
      for (i++; i < value.length && depth > 0; i++) {
        const d = value[i];
        if (d === '\\') i++;
        else if (d === '(') depth++;
        else if (d === ')') depth--;
      }
      i--;
    } else if (c === '"') {
      endWord();
      let text = '';
      for (i++; i < value.length && value[i] !== '"'; i++) {
        if (value[i] === '\\' && i + 1 < value.length) i++;
        text += value[i];
      }
      tokens.push({ kind: 'quoted', text });
    } else if (c === ';') {
      endWord();
      segments.push(tokens);
      tokens = [];
    } else if (c === '=') {
      endWord();
      tokens.push({ kind: '=' });
    } else if (/\s/.test(c)) {
      endWord();
    } else {
      word += c;
    }
  }
  endWord();
  segments.push(tokens);
  return segments;
}

/** One `method=result name=value …` segment; null when it is not one (`none`, stray text). */
function parseResult(tokens: Token[]): AuthResult | null {
  // The method is the words before the first '=' (`dkim / 1 =` is written apart sometimes).
  const eq = tokens.findIndex((t) => t.kind === '=');
  const resultToken = tokens[eq + 1];
  if (eq <= 0 || !resultToken || resultToken.kind === '=') return null;
  const methodText = tokens
    .slice(0, eq)
    .map((t) => (t.kind === '=' ? '' : t.text))
    .join('')
    .toLowerCase();
  const [method = '', version = null] = methodText.split('/');
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(method)) return null;
  const out: AuthResult = { method, version, result: resultToken.text.toLowerCase(), reason: null, properties: {} };
  // Then `name = value` pairs; a word not followed by '=' is skipped (junk some servers write).
  let name: string | null = null;
  for (let i = eq + 2; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === '=') {
      const v = tokens[i + 1];
      if (name !== null && v && v.kind !== '=') {
        const key = name.toLowerCase();
        if (key === 'reason') out.reason ??= v.text;
        else if (!(key in out.properties)) out.properties[key] = v.text;
        i++;
      }
      name = null;
    } else {
      // `header . d = x` comes as 'header', '.d': a word that starts or follows a dot joins its neighbour.
      name = name !== null && (name.endsWith('.') || t.text.startsWith('.')) ? name + t.text : t.text;
    }
  }
  return out;
}

/** One Authentication-Results header value (unfolded); null when it names no authserv-id first. */
export function parseAuthenticationResults(value: string): AuthenticationResults | null {
  const [head = [], ...rest] = lex(value);
  const id = head[0];
  // The first segment opens with the authserv-id (then an optional version; what else a server
  // writes there is ignored): a header that opens with a result (`spf=pass …; outlook.com; …`)
  // does not say who wrote it.
  if (!id || id.kind === '=' || head[1]?.kind === '=' || !id.text.trim()) return null;
  return {
    authservId: id.text.trim(),
    results: rest.flatMap((tokens) => parseResult(tokens) ?? []),
  };
}

export interface SenderAuthentication {
  authenticated: boolean;
  /** What decided, for the mailbox record: 'dmarc=pass header.from=example.net', 'no Authentication-Results from mx.example', … */
  detail: string;
}

/** "Zhang@Example.NET." → "example.net"; the domain of an address, or the value itself when it has no '@'. */
function domainOf(value: string | undefined): string | null {
  if (!value) return null;
  const v = value.trim().replace(/^<|>$/g, '');
  const domain = (v.includes('@') ? v.slice(v.lastIndexOf('@') + 1) : v).toLowerCase().replace(/\.$/, '');
  return /^[^\s@]+\.[^\s@]+$/.test(domain) ? domain : null;
}

/** `from` is `domain` or under it; `domain` has at least two labels (no bare top-level domain). */
function alignedWith(fromDomain: string, domain: string | null): boolean {
  return domain !== null && domain.includes('.') && (fromDomain === domain || fromDomain.endsWith(`.${domain}`));
}

/**
 * Whether the server(s) named by `trustedIds` authenticated the sender in From: an aligned
 * dmarc=pass, dkim=pass or spf=pass in one of their Authentication-Results headers, and no
 * dmarc=fail of theirs for the From domain. `headers` are the message's Authentication-Results
 * values, every one (the untrusted ones are ignored here).
 */
export function authenticateSender(
  headers: readonly string[],
  fromAddress: string | null,
  trustedIds: readonly string[],
): SenderAuthentication {
  const trusted = new Set(trustedIds.map((id) => id.trim().toLowerCase()).filter(Boolean));
  if (trusted.size === 0) return { authenticated: false, detail: 'no trusted mail server configured (MAIL_AUTHSERV_ID)' };
  const fromDomain = domainOf(fromAddress ?? undefined);
  if (!fromAddress || !fromDomain) return { authenticated: false, detail: 'no sender domain' };
  const results = headers
    .map(parseAuthenticationResults)
    .filter((h): h is AuthenticationResults => h !== null && trusted.has(h.authservId.toLowerCase()))
    .flatMap((h) => h.results);
  const servers = [...trusted].join(', ');
  if (results.length === 0) return { authenticated: false, detail: `no Authentication-Results from ${servers}` };

  const dmarcFail = results.find(
    (r) =>
      r.method === 'dmarc' &&
      r.result === 'fail' &&
      (r.properties['header.from'] === undefined || domainOf(r.properties['header.from']) === fromDomain),
  );
  if (dmarcFail) return { authenticated: false, detail: `dmarc=fail for ${fromDomain}` };

  for (const r of results) {
    if (r.result !== 'pass') continue;
    if (r.method === 'dmarc' && domainOf(r.properties['header.from']) === fromDomain) {
      return { authenticated: true, detail: `dmarc=pass header.from=${fromDomain}` };
    }
    if (r.method === 'dkim') {
      for (const name of ['header.d', 'header.i']) {
        const domain = domainOf(r.properties[name]);
        if (alignedWith(fromDomain, domain)) return { authenticated: true, detail: `dkim=pass ${name}=${domain}` };
      }
    }
    if (r.method === 'spf') {
      const domain = domainOf(r.properties['smtp.mailfrom']);
      if (alignedWith(fromDomain, domain)) return { authenticated: true, detail: `spf=pass smtp.mailfrom=${domain}` };
    }
  }
  const seen = results.map((r) => `${r.method}=${r.result}`);
  return {
    authenticated: false,
    detail: `no pass aligned with ${fromDomain} from ${servers} (${[...new Set(seen)].join(', ').slice(0, 200)})`,
  };
}
