// Residents' personal data encrypted at rest (issue 18 item 7, ADR 019): the keyring, the
// envelope every encrypted value is stored in, and the keyed hashes equality look-ups use.
//
// Envelope: `enc1:<keyId>:<base64(iv|ciphertext|tag)>` (AES-256-GCM) or
// `encs1:<keyId>:<base64(iv|ciphertext|mac)>` (SM4-CTR, then HMAC-SM3 over the prefix, iv and
// ciphertext: encrypt-then-MAC). A value names its algorithm and key, so a reader picks the key
// by id (older keys stay readable during a rotation), and "already encrypted" is a pattern match
// (what lets the in-place migration resume and encrypt each value once).
//
// Bytes (a kept raw mail, a mail's attachment in the blob store) have an envelope of their own,
// binary so a mail is not made a third larger: the ASCII header `enc1b:<keyId>:` or
// `encs1b:<keyId>:`, then iv|ciphertext|tag (AES-256-GCM, the header as associated data) or
// iv|ciphertext|mac (SM4-CTR, HMAC-SM3 over header, iv and ciphertext). The header is what tells a
// reader whether a stored object is sealed, and with which key; an object without it is one kept
// in clear by an older release, read as it is.
//
// Every key of the file is 32 random bytes; what is used is derived from it once, with HKDF,
// when the keyring is made (no derivation per value): the cipher key, the SM3 MAC key, and the
// key of the look-up hashes.
import crypto from 'node:crypto';

export const DATA_CIPHERS = ['aes-256-gcm', 'sm4'] as const;

export type DataCipher = (typeof DATA_CIPHERS)[number];

/** One key of the key file: its id (8 hex digits), the algorithm it encrypts with, 32 random bytes. */
export interface DataKey {
  id: string;
  cipher: DataCipher;
  material: Buffer;
  created: string;
}

export class DataKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataKeyError';
  }
}

interface DerivedKey {
  id: string;
  cipher: DataCipher;
  encKey: Buffer;
  /** SM4 only: the HMAC-SM3 key of encrypt-then-MAC. */
  macKey: Buffer | null;
  hashKey: Buffer;
  hashAlgorithm: 'sha256' | 'sm3';
}

/** What a look-up hash is of: the same value hashed for another purpose gives another hash. */
export type HashKind = 'phone' | 'phone-last4' | 'email' | 'domain';

export interface Keyring {
  /** The key new values are encrypted with (the first of the file). */
  readonly activeId: string;
  /** Every key id, the active one first. */
  readonly ids: readonly string[];
  seal(plain: string): string;
  /** The plain text of an envelope; throws a DataKeyError when its key is missing or it was altered. */
  open(envelope: string): string;
  /** `plain` in a byte envelope under the active key. */
  sealBytes(plain: Uint8Array): Buffer;
  /** The plain bytes of a byte envelope; throws a DataKeyError when it is none, its key is missing or it was altered. */
  openBytes(sealed: Uint8Array): Buffer;
  /** The look-up hash of `value` under the active key. */
  hash(kind: HashKind, value: string): string;
  /** The look-up hash under a given key (a row's hash is under the key of its envelopes). */
  hashWith(keyId: string, kind: HashKind, value: string): string;
  /** The hashes of `value` under every key: a look-up during a rotation finds rows of either key. */
  hashes(kind: HashKind, value: string): string[];
  /** An HMAC of a constant under `keyId`: stored in the database to recognise the key at start. */
  check(keyId: string): string;
}

const ENVELOPE = /^(enc1|encs1):([0-9a-f]{8}):([A-Za-z0-9+/]+={0,2})$/;
const KEY_CHECK_TEXT = 'chuangcheng-portal data key check v1';
const GCM_IV = 12;
const GCM_TAG = 16;
const SM4_IV = 16;
const SM3_MAC = 32;

/** True when `value` is an envelope (and so is not encrypted again). */
export function isSealed(value: string): boolean {
  return ENVELOPE.test(value);
}

/** The key id an envelope names, or null for a clear value. */
export function envelopeKeyId(value: string): string | null {
  return ENVELOPE.exec(value)?.[2] ?? null;
}

const BYTES_HEADER = /^(enc1b|encs1b):([0-9a-f]{8}):/;
/** The longest header: `encs1b:` and eight hex digits and `:`. */
const BYTES_HEADER_MAX = 16;

/** The scheme, key id and header length of a byte envelope, or null for clear bytes. */
function bytesHeader(bytes: Uint8Array): { scheme: 'enc1b' | 'encs1b'; keyId: string; length: number } | null {
  const m = BYTES_HEADER.exec(Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, BYTES_HEADER_MAX)).toString('latin1'));
  return m ? { scheme: m[1] as 'enc1b' | 'encs1b', keyId: m[2]!, length: m[0].length } : null;
}

/**
 * The key id a byte envelope names, or null for bytes stored in clear. The first 16 bytes are
 * enough (what a reader that only peeks at an object's start needs).
 */
export function sealedBytesKeyId(bytes: Uint8Array): string | null {
  return bytesHeader(bytes)?.keyId ?? null;
}

export function newDataKey(cipher: DataCipher, at: Date = new Date()): DataKey {
  return { id: crypto.randomBytes(4).toString('hex'), cipher, material: crypto.randomBytes(32), created: at.toISOString() };
}

function derive(key: DataKey): DerivedKey {
  const hkdf = (info: string, length: number) =>
    Buffer.from(crypto.hkdfSync(key.cipher === 'sm4' ? 'sm3' : 'sha256', key.material, Buffer.alloc(0), info, length));
  return key.cipher === 'sm4'
    ? {
        id: key.id,
        cipher: key.cipher,
        encKey: hkdf('portal-data/sm4-ctr', 16),
        macKey: hkdf('portal-data/hmac-sm3', 32),
        hashKey: hkdf('portal-data/lookup-hash', 32),
        hashAlgorithm: 'sm3',
      }
    : {
        id: key.id,
        cipher: key.cipher,
        encKey: hkdf('portal-data/aes-256-gcm', 32),
        macKey: null,
        hashKey: hkdf('portal-data/lookup-hash', 32),
        hashAlgorithm: 'sha256',
      };
}

function sealWith(k: DerivedKey, plain: string): string {
  const data = Buffer.from(plain, 'utf8');
  if (k.cipher === 'sm4') {
    const iv = crypto.randomBytes(SM4_IV);
    const cipher = crypto.createCipheriv('sm4-ctr', k.encKey, iv);
    const body = Buffer.concat([iv, cipher.update(data), cipher.final()]);
    const mac = crypto.createHmac('sm3', k.macKey!).update(`encs1:${k.id}:`).update(body).digest();
    return `encs1:${k.id}:${Buffer.concat([body, mac]).toString('base64')}`;
  }
  const iv = crypto.randomBytes(GCM_IV);
  const cipher = crypto.createCipheriv('aes-256-gcm', k.encKey, iv);
  // The key id is authenticated too: an envelope moved under another id fails.
  cipher.setAAD(Buffer.from(k.id));
  const body = Buffer.concat([cipher.update(data), cipher.final()]);
  return `enc1:${k.id}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64')}`;
}

function openWith(k: DerivedKey, scheme: string, payload: Buffer): string {
  const altered = () => new DataKeyError(`an encrypted value under key ${k.id} was altered or is damaged (authentication failed)`);
  if (scheme === 'encs1') {
    if (k.cipher !== 'sm4' || payload.length < SM4_IV + SM3_MAC) throw altered();
    const body = payload.subarray(0, payload.length - SM3_MAC);
    const mac = payload.subarray(payload.length - SM3_MAC);
    const expected = crypto.createHmac('sm3', k.macKey!).update(`encs1:${k.id}:`).update(body).digest();
    if (!crypto.timingSafeEqual(mac, expected)) throw altered();
    const decipher = crypto.createDecipheriv('sm4-ctr', k.encKey, body.subarray(0, SM4_IV));
    return Buffer.concat([decipher.update(body.subarray(SM4_IV)), decipher.final()]).toString('utf8');
  }
  if (k.cipher !== 'aes-256-gcm' || payload.length < GCM_IV + GCM_TAG) throw altered();
  const decipher = crypto.createDecipheriv('aes-256-gcm', k.encKey, payload.subarray(0, GCM_IV));
  decipher.setAAD(Buffer.from(k.id));
  decipher.setAuthTag(payload.subarray(payload.length - GCM_TAG));
  try {
    return Buffer.concat([decipher.update(payload.subarray(GCM_IV, payload.length - GCM_TAG)), decipher.final()]).toString('utf8');
  } catch {
    throw altered();
  }
}

function sealBytesWith(k: DerivedKey, plain: Uint8Array): Buffer {
  if (k.cipher === 'sm4') {
    const header = Buffer.from(`encs1b:${k.id}:`, 'latin1');
    const iv = crypto.randomBytes(SM4_IV);
    const cipher = crypto.createCipheriv('sm4-ctr', k.encKey, iv);
    const body = Buffer.concat([iv, cipher.update(plain), cipher.final()]);
    const mac = crypto.createHmac('sm3', k.macKey!).update(header).update(body).digest();
    return Buffer.concat([header, body, mac]);
  }
  const header = Buffer.from(`enc1b:${k.id}:`, 'latin1');
  const iv = crypto.randomBytes(GCM_IV);
  const cipher = crypto.createCipheriv('aes-256-gcm', k.encKey, iv);
  // The header (and so the key id) is authenticated: an object relabelled under another id fails.
  cipher.setAAD(header);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([header, iv, body, cipher.getAuthTag()]);
}

function openBytesWith(k: DerivedKey, scheme: 'enc1b' | 'encs1b', header: Uint8Array, payload: Uint8Array): Buffer {
  const altered = () => new DataKeyError(`an encrypted file under key ${k.id} was altered or is damaged (authentication failed)`);
  if (scheme === 'encs1b') {
    if (k.cipher !== 'sm4' || payload.length < SM4_IV + SM3_MAC) throw altered();
    const body = payload.subarray(0, payload.length - SM3_MAC);
    const mac = payload.subarray(payload.length - SM3_MAC);
    const expected = crypto.createHmac('sm3', k.macKey!).update(header).update(body).digest();
    if (!crypto.timingSafeEqual(mac, expected)) throw altered();
    const decipher = crypto.createDecipheriv('sm4-ctr', k.encKey, body.subarray(0, SM4_IV));
    return Buffer.concat([decipher.update(body.subarray(SM4_IV)), decipher.final()]);
  }
  if (k.cipher !== 'aes-256-gcm' || payload.length < GCM_IV + GCM_TAG) throw altered();
  const decipher = crypto.createDecipheriv('aes-256-gcm', k.encKey, payload.subarray(0, GCM_IV));
  decipher.setAAD(header);
  decipher.setAuthTag(payload.subarray(payload.length - GCM_TAG));
  try {
    return Buffer.concat([decipher.update(payload.subarray(GCM_IV, payload.length - GCM_TAG)), decipher.final()]);
  } catch {
    throw altered();
  }
}

function hashOf(k: DerivedKey, kind: HashKind, value: string): string {
  return crypto.createHmac(k.hashAlgorithm, k.hashKey).update(`${kind}\0${value}`).digest('base64url');
}

/** A keyring of `keys`, the first being the active one. Keys are derived here, once. */
export function createKeyring(keys: readonly DataKey[]): Keyring {
  if (keys.length === 0) throw new DataKeyError('the key file holds no key');
  const derived = new Map<string, DerivedKey>();
  for (const key of keys) {
    if (derived.has(key.id)) throw new DataKeyError(`the key file holds key ${key.id} twice`);
    derived.set(key.id, derive(key));
  }
  const active = derived.get(keys[0]!.id)!;
  const keyOf = (id: string) => {
    const k = derived.get(id);
    if (!k) throw new DataKeyError(`a value is encrypted with key ${id}, which the key file (DATA_KEY) does not hold`);
    return k;
  };
  return {
    activeId: active.id,
    ids: [...derived.keys()],
    seal: (plain) => sealWith(active, plain),
    open(envelope) {
      const m = ENVELOPE.exec(envelope);
      if (!m) throw new DataKeyError('not an encrypted value');
      return openWith(keyOf(m[2]!), m[1]!, Buffer.from(m[3]!, 'base64'));
    },
    sealBytes: (plain) => sealBytesWith(active, plain),
    openBytes(sealed) {
      const header = bytesHeader(sealed);
      if (!header) throw new DataKeyError('not an encrypted file');
      return openBytesWith(keyOf(header.keyId), header.scheme, sealed.subarray(0, header.length), sealed.subarray(header.length));
    },
    hash: (kind, value) => hashOf(active, kind, value),
    hashWith: (keyId, kind, value) => hashOf(keyOf(keyId), kind, value),
    hashes: (kind, value) => [...derived.values()].map((k) => hashOf(k, kind, value)),
    check: (keyId) => crypto.createHmac('sha256', keyOf(keyId).hashKey).update(KEY_CHECK_TEXT).digest('base64url'),
  };
}
