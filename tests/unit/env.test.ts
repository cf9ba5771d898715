import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvError, readEnv } from '../../server/env.ts';

describe('configuration', () => {
  it('defaults to SQLite under ./data on 127.0.0.1:4321', () => {
    const env = readEnv({});
    expect(env).toMatchObject({ host: '127.0.0.1', port: 4321, dataDir: path.resolve('data'), publicUrl: 'http://127.0.0.1:4321' });
    expect(env.databaseUrl).toBe(`sqlite:${path.resolve('data', 'portal.sqlite')}`);
  });

  it('takes HOST, PORT, DATA_DIR and a postgres:// DATABASE_URL', () => {
    const env = readEnv({ HOST: '0.0.0.0', PORT: '8080', DATA_DIR: '/srv/portal', DATABASE_URL: 'postgres://u@db:5432/portal' });
    expect(env).toMatchObject({ host: '0.0.0.0', port: 8080, dataDir: '/srv/portal', databaseUrl: 'postgres://u@db:5432/portal' });
  });

  it('stops with a message naming each wrong variable', () => {
    const attempt = () => readEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', TRUST_PROXY: 'maybe' });
    expect(attempt).toThrow(EnvError);
    expect(attempt).toThrow(/PORT/);
    expect(attempt).toThrow(/DATABASE_URL/);
    expect(attempt).toThrow(/TRUST_PROXY/);
  });

  it('reads the mailbox’s trust in senders: none by default, MAIL_AUTHSERV_ID as a list', () => {
    expect(readEnv({}).mailLimits).toMatchObject({
      trustedAuthservIds: [],
      acknowledgeUnauthenticated: false,
      acknowledgementsPerSenderPerDay: 3,
      acknowledgementsPerDomainPerDay: 100,
    });
    expect(
      readEnv({
        MAIL_AUTHSERV_ID: ' mx1.lincheng.gov.cn, mx2.lincheng.gov.cn ',
        MAIL_ACK_UNAUTHENTICATED: '1',
        MAIL_ACKS_PER_DOMAIN_PER_DAY: '500',
      }).mailLimits,
    ).toMatchObject({
      trustedAuthservIds: ['mx1.lincheng.gov.cn', 'mx2.lincheng.gov.cn'],
      acknowledgeUnauthenticated: true,
      acknowledgementsPerDomainPerDay: 500,
    });
    expect(() => readEnv({ MAIL_AUTHSERV_ID: 'mx.lincheng.gov.cn; dmarc=pass' })).toThrow(/MAIL_AUTHSERV_ID/);
  });

  it('reads the request body idle timeout and the upload caps: 30 s, 4 per address, 32 in all by default', () => {
    expect(readEnv({}).requestLimits).toEqual({ bodyIdleMs: 30_000, uploadsPerClient: 4, uploadsInAll: 32 });
    expect(readEnv({ REQUEST_BODY_IDLE_SECONDS: '10', UPLOAD_MAX_PER_CLIENT: '2', UPLOAD_MAX_CONCURRENT: '100' }).requestLimits).toEqual({
      bodyIdleMs: 10_000,
      uploadsPerClient: 2,
      uploadsInAll: 100,
    });
    const attempt = () => readEnv({ REQUEST_BODY_IDLE_SECONDS: '0', UPLOAD_MAX_PER_CLIENT: 'four', UPLOAD_MAX_CONCURRENT: '1.5' });
    expect(attempt).toThrow(/REQUEST_BODY_IDLE_SECONDS/);
    expect(attempt).toThrow(/UPLOAD_MAX_PER_CLIENT/);
    expect(attempt).toThrow(/UPLOAD_MAX_CONCURRENT/);
  });
});
