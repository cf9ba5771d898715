// Quiet-hours and China-day arithmetic for text messages (server/notify/sms-schedule.ts), and the
// SMS settings as validated at start (server/notify/sms-settings.ts through readEnv).
import { describe, expect, it } from 'vitest';
import { chinaDayStartOf, inQuietHours, nextChinaHour, quietHoursEnd } from '../../server/notify/sms-schedule.ts';
import { readEnv } from '../../server/env.ts';

const NIGHT = { from: 22, to: 8 };

describe('quiet hours (China time, UTC+8)', () => {
  it('holds 22:00–07:59 China time and lets 08:00–21:59 through', () => {
    // 21:59 China = 13:59Z; 22:00 China = 14:00Z; 07:59 China = 23:59Z; 08:00 China = 00:00Z.
    expect(inQuietHours(new Date('2026-12-07T13:59:00Z'), NIGHT)).toBe(false);
    expect(inQuietHours(new Date('2026-12-07T14:00:00Z'), NIGHT)).toBe(true);
    expect(inQuietHours(new Date('2026-12-07T18:30:00Z'), NIGHT)).toBe(true);
    expect(inQuietHours(new Date('2026-12-07T23:59:59Z'), NIGHT)).toBe(true);
    expect(inQuietHours(new Date('2026-12-08T00:00:00Z'), NIGHT)).toBe(false);
    expect(inQuietHours(new Date('2026-12-08T06:50:00Z'), NIGHT)).toBe(false);
  });

  it('ends at the next 08:00 China time, before or after midnight', () => {
    expect(quietHoursEnd(new Date('2026-12-07T14:30:00Z'), NIGHT).toISOString()).toBe('2026-12-08T00:00:00.000Z');
    expect(quietHoursEnd(new Date('2026-12-07T20:00:00Z'), NIGHT).toISOString()).toBe('2026-12-08T00:00:00.000Z');
  });

  it('handles a window inside one day, and none', () => {
    expect(inQuietHours(new Date('2026-12-07T05:00:00Z'), { from: 12, to: 14 })).toBe(true); // 13:00 China
    expect(inQuietHours(new Date('2026-12-07T06:00:00Z'), { from: 12, to: 14 })).toBe(false); // 14:00 China
    expect(inQuietHours(new Date('2026-12-07T15:00:00Z'), { from: 0, to: 0 })).toBe(false);
  });

  it('counts China days from 00:00 China time (16:00Z the day before)', () => {
    expect(chinaDayStartOf(new Date('2026-12-07T15:59:59Z')).toISOString()).toBe('2026-12-06T16:00:00.000Z');
    expect(chinaDayStartOf(new Date('2026-12-07T16:00:00Z')).toISOString()).toBe('2026-12-07T16:00:00.000Z');
    expect(nextChinaHour(new Date('2026-12-07T16:00:00Z'), 0).toISOString()).toBe('2026-12-08T16:00:00.000Z');
  });
});

describe('SMS settings', () => {
  const base = { DATA_DIR: '/tmp/x' };

  it('defaults: no provider, 5 per number, 2000 a day, quiet 22-8', () => {
    const sms = readEnv(base).sms;
    expect(sms.provider).toBeNull();
    expect(sms).toMatchObject({ perNumberPerDay: 5, dailyBudget: 2000, quietHours: { from: 22, to: 8 }, kindsOff: [] });
  });

  it('with a provider, names each missing template code and key', () => {
    expect(() =>
      readEnv({ ...base, SMS_PROVIDER: 'aliyun', ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', SMS_TEMPLATE_REPORTER_ACCEPTED: 'SMS_1' }),
    ).toThrow(/ALIBABA_CLOUD_ACCESS_KEY_SECRET.*SMS_TEMPLATE_REPORTER_DISPATCHED/);
  });

  it('a switched-off kind needs no template', () => {
    const env = readEnv({
      ...base,
      SMS_PROVIDER: 'aliyun',
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret',
      SMS_KINDS_OFF: 'unit-reminder, unit-overdue,unit-dispatch,lookup-code',
      SMS_TEMPLATE_REPORTER_ACCEPTED: 'SMS_1',
      SMS_TEMPLATE_REPORTER_DISPATCHED: 'SMS_2',
      SMS_TEMPLATE_REPORTER_CLOSED: 'SMS_3',
    });
    expect(env.sms.provider).toMatchObject({ kind: 'aliyun', endpoint: 'https://dysmsapi.aliyuncs.com' });
    expect(env.sms.kindsOff).toEqual(['unit-reminder', 'unit-overdue', 'unit-dispatch', 'lookup-code']);
  });

  it('refuses unknown kinds and bad quiet hours, naming the variable', () => {
    expect(() => readEnv({ ...base, SMS_KINDS_OFF: 'reporter-acepted' })).toThrow(/SMS_KINDS_OFF: unknown kind\(s\) reporter-acepted/);
    expect(() => readEnv({ ...base, SMS_QUIET_HOURS: '22:00-8' })).toThrow(/SMS_QUIET_HOURS/);
    expect(() => readEnv({ ...base, SMS_PROVIDER: 'tencent' })).toThrow(/SMS_PROVIDER/);
  });
});
