// The envelope of residents' personal data (ADR 019): a round trip under both ciphers, a changed
// byte refused, another key refused, and the look-up hashes stable per key and different across
// keys and purposes.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKeyFile, readKeyFile } from '../../server/db/data-key-file.ts';
import { createKeyring, DATA_CIPHERS, envelopeKeyId, isSealed, newDataKey, sealedBytesKeyId } from '../../server/db/data-keys.ts';

const PLAIN = ['13800138000', '张三', 'zhang.san+tag@qq.example', '', '多字节 🚧 text'];

/** The envelope with one payload byte changed (its base64 decoded, altered, encoded again). */
function altered(envelope: string, at: number): string {
  const i = envelope.lastIndexOf(':') + 1;
  const bytes = Buffer.from(envelope.slice(i), 'base64');
  bytes[at % bytes.length]! ^= 0x01;
  return envelope.slice(0, i) + bytes.toString('base64');
}

describe.each(DATA_CIPHERS)('data envelope with %s', (cipher) => {
  const key = newDataKey(cipher);
  const ring = createKeyring([key]);

  it('round-trips every value, each sealing with a fresh IV, naming its key and algorithm', () => {
    for (const plain of PLAIN) {
      const a = ring.seal(plain);
      const b = ring.seal(plain);
      expect(a).not.toBe(b);
      expect(a).toMatch(cipher === 'sm4' ? /^encs1:[0-9a-f]{8}:/ : /^enc1:[0-9a-f]{8}:/);
      expect(isSealed(a)).toBe(true);
      expect(envelopeKeyId(a)).toBe(key.id);
      expect(ring.open(a)).toBe(plain);
    }
    expect(isSealed('13800138000')).toBe(false);
    expect(envelopeKeyId('zhang@qq.example')).toBeNull();
  });

  it('refuses an envelope with any byte changed (IV, ciphertext or tag)', () => {
    const sealed = ring.seal('13800138000');
    const length = Buffer.from(sealed.slice(sealed.lastIndexOf(':') + 1), 'base64').length;
    for (let at = 0; at < length; at++) {
      expect(() => ring.open(altered(sealed, at))).toThrow(/altered|damaged/);
    }
  });

  it('refuses an envelope under another key, and one whose key the ring does not hold', () => {
    const other = newDataKey(cipher);
    const sealed = createKeyring([other]).seal('13800138000');
    expect(() => ring.open(sealed)).toThrow(new RegExp(`key ${other.id}.*does not hold`));
    // Same id, other key material: authentication fails.
    const impostor = createKeyring([{ ...other, material: key.material }]);
    expect(() => impostor.open(sealed)).toThrow(/altered|damaged/);
  });

  it('round-trips bytes (a raw mail, an attachment) in a binary envelope whose header names format and key', () => {
    const mail = Buffer.from('From: =?UTF-8?B?5byg5LiJ?= <zhang.san@qq.example>\r\n\r\n路灯不亮\r\n', 'utf8');
    for (const plain of [mail, Buffer.alloc(0), crypto.randomBytes(70_000)]) {
      const a = ring.sealBytes(plain);
      const b = ring.sealBytes(plain);
      expect(a.equals(b)).toBe(false);
      expect(a.subarray(0, 16).toString('latin1')).toMatch(cipher === 'sm4' ? /^encs1b:[0-9a-f]{8}:/ : /^enc1b:[0-9a-f]{8}:/);
      expect(sealedBytesKeyId(a)).toBe(key.id);
      // The first 16 bytes say it: what a reader peeking at an object's start has.
      expect(sealedBytesKeyId(a.subarray(0, 16))).toBe(key.id);
      expect(ring.openBytes(a).equals(plain)).toBe(true);
    }
    expect(ring.sealBytes(mail).includes(Buffer.from('zhang.san@qq.example'))).toBe(false);
    expect(sealedBytesKeyId(mail)).toBeNull();
    expect(sealedBytesKeyId(Buffer.from('enc1b:xyz'))).toBeNull();
    expect(() => ring.openBytes(mail)).toThrow(/not an encrypted file/);
  });

  it('refuses bytes with any byte after the header changed, a relabelled header, or another key', () => {
    const sealed = ring.sealBytes(Buffer.from('zhang.san@qq.example'));
    const headerLength = sealed.indexOf(':', 7) + 1;
    for (let at = headerLength; at < sealed.length; at++) {
      const copy = Buffer.from(sealed);
      copy[at]! ^= 0x01;
      expect(() => ring.openBytes(copy)).toThrow(/altered|damaged/);
    }
    // Cut short: no tag left to check.
    expect(() => ring.openBytes(sealed.subarray(0, headerLength + 4))).toThrow(/altered|damaged/);
    const other = newDataKey(cipher);
    const both = createKeyring([key, other]);
    // The same payload under the other key's id (in the header): authentication fails.
    const relabelled = Buffer.concat([
      Buffer.from(sealed.subarray(0, headerLength).toString('latin1').replace(key.id, other.id)),
      sealed.subarray(headerLength),
    ]);
    expect(() => both.openBytes(relabelled)).toThrow(/altered|damaged/);
    const foreign = createKeyring([other]).sealBytes(Buffer.from('13800138000'));
    expect(() => ring.openBytes(foreign)).toThrow(new RegExp(`key ${other.id}.*does not hold`));
    expect(() => createKeyring([{ ...other, material: key.material }]).openBytes(foreign)).toThrow(/altered|damaged/);
    expect(both.openBytes(foreign).toString()).toBe('13800138000');
  });

  it('hashes stably per key, differently per key and per purpose', () => {
    const again = createKeyring([{ ...key }]);
    expect(ring.hash('phone', '13800138000')).toBe(again.hash('phone', '13800138000'));
    expect(ring.hash('phone', '13800138000')).not.toBe(ring.hash('phone', '13800138001'));
    expect(ring.hash('phone', '8000')).not.toBe(ring.hash('phone-last4', '8000'));
    expect(createKeyring([newDataKey(cipher)]).hash('phone', '13800138000')).not.toBe(ring.hash('phone', '13800138000'));
    expect(ring.check(key.id)).toBe(again.check(key.id));
  });
});

describe('keyring of several keys (a rotation)', () => {
  it('seals with the first key, opens under either, and looks up by the hashes of both', () => {
    const old = newDataKey('aes-256-gcm');
    const fresh = newDataKey('sm4');
    const before = createKeyring([old]).seal('张三');
    const ring = createKeyring([fresh, old]);
    expect(ring.activeId).toBe(fresh.id);
    expect(envelopeKeyId(ring.seal('张三'))).toBe(fresh.id);
    expect(ring.open(before)).toBe('张三');
    expect(ring.hashes('phone', '13800138000')).toEqual([
      ring.hashWith(fresh.id, 'phone', '13800138000'),
      ring.hashWith(old.id, 'phone', '13800138000'),
    ]);
  });
});

describe('key file', () => {
  it('is made with mode 0600, read back, and never replaced', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'data-key-'));
    try {
      const file = path.join(dir, 'keys', 'data-key.json');
      const [made] = createKeyFile(file, 'sm4');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const [read] = readKeyFile(file);
      expect(read).toMatchObject({ id: made!.id, cipher: 'sm4' });
      expect(read!.material.equals(made!.material)).toBe(true);
      expect(() => createKeyFile(file, 'sm4')).toThrow(/exists already/);
      fs.writeFileSync(file, '{"format":"other"}');
      expect(() => readKeyFile(file)).toThrow(/not a portal data key file/);
      expect(() => readKeyFile(path.join(dir, 'missing.json'))).toThrow(/does not exist/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
