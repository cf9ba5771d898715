// Alibaba Cloud's request signature V3 (ACS3-HMAC-SHA256), as its doc "V3版本请求体&签名机制"
// describes it: a canonical request (method, path, sorted and encoded query, the signed headers,
// the body's SHA-256), its hash as the string to sign, and HMAC-SHA256 with the AccessKey secret.
// Pure functions of their input, so the test can replay the doc's worked example exactly, and the
// stand-in provider in the tests (tests/support/) checks our requests with the same code.
import { createHash, createHmac } from 'node:crypto';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

export interface Acs3Request {
  method: string;
  /** The URL path, '/' for RPC-style APIs such as SendSms. */
  path: string;
  /** Query parameters (not yet encoded). */
  query: Record<string, string>;
  /** Headers to sign: host, x-acs-* and content-type (names in any case). */
  headers: Record<string, string>;
  /** The request body as sent ('' when none). */
  body: string;
}

export interface Acs3Signed {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  signedHeaders: string;
  /** The Authorization header's value. */
  authorization: string;
}

export function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

/** RFC 3986 percent-encoding: everything but A–Z a–z 0–9 - _ . ~ (a space is %20, '*' is %2A). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalQuery(query: Record<string, string>): string {
  return Object.keys(query)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(query[k] ?? '')}`)
    .join('&');
}

/** Signs `request` with the AccessKey pair; the headers must already hold x-acs-content-sha256. */
export function acs3Sign(request: Acs3Request, accessKeyId: string, accessKeySecret: string): Acs3Signed {
  const entries = Object.entries(request.headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim()] as const)
    .filter(([name]) => name === 'host' || name === 'content-type' || name.startsWith('x-acs-'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonicalHeaders = entries.map(([name, value]) => `${name}:${value}\n`).join('');
  const signedHeaders = entries.map(([name]) => name).join(';');
  const path = request.path
    .split('/')
    .map((segment) => percentEncode(decodeURIComponent(segment)))
    .join('/');
  const canonicalRequest = [
    request.method.toUpperCase(),
    path || '/',
    canonicalQuery(request.query),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(request.body),
  ].join('\n');
  const stringToSign = `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', accessKeySecret).update(stringToSign, 'utf8').digest('hex');
  return {
    canonicalRequest,
    stringToSign,
    signature,
    signedHeaders,
    authorization: `${ACS3_ALGORITHM} Credential=${accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`,
  };
}

/** The Authorization header's parts, or null when it is not an ACS3 one. */
export function parseAcs3Authorization(value: string): { accessKeyId: string; signedHeaders: string[]; signature: string } | null {
  const match = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(value.trim());
  if (!match) return null;
  return { accessKeyId: match[1]!, signedHeaders: match[2]!.split(';'), signature: match[3]! };
}
