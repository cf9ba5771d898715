// The worker's settings and the process roles (ROLES, --role).
import { describe, expect, it } from 'vitest';
import { EnvError, readEnv } from '../../server/env.ts';
import { parseRoles, rolesFromArgs } from '../../server/worker/worker-settings.ts';

describe('worker settings', () => {
  it('default to web and worker in one process, a tick a minute, reminders a day ahead, a 90-day reset', () => {
    const env = readEnv({});
    expect(env.roles).toEqual(['web', 'worker']);
    expect(env.worker).toEqual({ intervalSeconds: 60, reminderHoursBefore: 24, escalationResetDays: 90 });
  });

  it('take ROLES and the worker settings from the environment', () => {
    const env = readEnv({ ROLES: 'worker', WORKER_INTERVAL_SECONDS: '15', REMINDER_HOURS_BEFORE: '48', ESCALATION_RESET_DAYS: '120' });
    expect(env.roles).toEqual(['worker']);
    expect(env.worker).toEqual({ intervalSeconds: 15, reminderHoursBefore: 48, escalationResetDays: 120 });
    expect(readEnv({ ROLES: ' worker , web ' }).roles).toEqual(['web', 'worker']);
  });

  it('stop with a message naming each wrong variable', () => {
    const attempt = () =>
      readEnv({ ROLES: 'web,mail', WORKER_INTERVAL_SECONDS: '0', REMINDER_HOURS_BEFORE: 'soon', ESCALATION_RESET_DAYS: '0' });
    expect(attempt).toThrow(EnvError);
    for (const name of ['ROLES', 'WORKER_INTERVAL_SECONDS', 'REMINDER_HOURS_BEFORE', 'ESCALATION_RESET_DAYS'])
      expect(attempt).toThrow(new RegExp(name));
  });

  it('say how fast the outboxes drain: 4 at once, 500 a pass and 15-minute claims by default, from the environment, a wrong value named', () => {
    expect(readEnv({}).delivery).toEqual({
      mailConcurrency: 4,
      mailMaxPerPass: 500,
      smsConcurrency: 4,
      smsMaxPerPass: 500,
      claimMs: 900_000,
    });
    expect(
      readEnv({
        MAIL_CONCURRENCY: '8',
        MAIL_MAX_PER_PASS: '2000',
        SMS_CONCURRENCY: '2',
        SMS_MAX_PER_PASS: '100',
        OUTBOX_CLAIM_SECONDS: '60',
      }).delivery,
    ).toEqual({
      mailConcurrency: 8,
      mailMaxPerPass: 2000,
      smsConcurrency: 2,
      smsMaxPerPass: 100,
      claimMs: 60_000,
    });
    const attempt = () =>
      readEnv({
        MAIL_CONCURRENCY: '0',
        MAIL_MAX_PER_PASS: 'all',
        SMS_CONCURRENCY: '1.5',
        SMS_MAX_PER_PASS: '-1',
        OUTBOX_CLAIM_SECONDS: '1',
      });
    for (const name of ['MAIL_CONCURRENCY', 'MAIL_MAX_PER_PASS', 'SMS_CONCURRENCY', 'SMS_MAX_PER_PASS', 'OUTBOX_CLAIM_SECONDS'])
      expect(attempt).toThrow(new RegExp(name));
  });

  it('hold leases on the mailbox and the site build for 40 s by default, WORKER_LEASE_SECONDS otherwise', () => {
    expect(readEnv({}).leaseMs).toBe(40_000);
    expect(readEnv({ WORKER_LEASE_SECONDS: '6' }).leaseMs).toBe(6_000);
    expect(() => readEnv({ WORKER_LEASE_SECONDS: '1' })).toThrow(/WORKER_LEASE_SECONDS/);
  });

  it('let --role override ROLES', () => {
    expect(parseRoles('')).toBeNull();
    expect(rolesFromArgs([], ['web', 'worker'])).toEqual(['web', 'worker']);
    expect(rolesFromArgs(['--role', 'worker'], ['web', 'worker'])).toEqual(['worker']);
    expect(rolesFromArgs(['--role=web'], ['worker'])).toEqual(['web']);
    expect(rolesFromArgs(['--role', 'web', '--role', 'worker'], ['web'])).toEqual(['web', 'worker']);
    expect(() => rolesFromArgs(['--role', 'mail'], ['web'])).toThrow(/--role/);
    expect(() => rolesFromArgs(['--role'], ['web'])).toThrow(/--role/);
  });
});
