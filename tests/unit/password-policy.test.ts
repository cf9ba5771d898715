import { describe, expect, it } from 'vitest';
import { passwordProblems } from '../../server/auth/password-policy.ts';
import { readEnv } from '../../server/env.ts';

describe('password policy', () => {
  it('accepts 8 characters of three classes that do not contain the username', () => {
    expect(passwordProblems('Lincheng2026', 'zjj01')).toEqual([]);
    expect(passwordProblems('staff-pass-42', 'dispatcher')).toEqual([]);
    expect(passwordProblems('ABcd-efg', 'wang')).toEqual([]);
    expect(passwordProblems('ABCD-1234', 'wang')).toEqual([]);
  });

  it('says how many characters are missing', () => {
    expect(passwordProblems('Ab1-x', 'wang')).toEqual(['密码至少需要8个字符（现在5个）']);
  });

  it('names the classes that are missing when fewer than three are there', () => {
    expect(passwordProblems('lincheng2026', 'wang')).toEqual([
      '密码需包含小写字母、大写字母、数字、其他符号中的至少三类（还缺：大写字母、其他符号，补上其中1类即可）',
    ]);
    expect(passwordProblems('abcdefghij', 'wang')[0]).toMatch(/还缺：大写字母、数字、其他符号，补上其中2类即可/);
  });

  it('refuses a password containing the username, whatever the case', () => {
    expect(passwordProblems('Zjj01-secret', 'zjj01')).toEqual(['密码不能包含用户名']);
    expect(passwordProblems('my-ZJJ01-pass', 'zjj01')).toEqual(['密码不能包含用户名']);
  });

  it('lists every problem at once', () => {
    expect(passwordProblems('zjj01', 'zjj01')).toHaveLength(3);
    expect(passwordProblems('x'.repeat(201) + 'A1', 'wang')).toContain('密码太长（最多200个字符）');
  });
});

describe('sign-in settings', () => {
  it('end sessions after 30 idle minutes and 12 hours, with no password age and no required second factor outside production', () => {
    expect(readEnv({}).accounts).toEqual({
      sessionIdleMinutes: 30,
      sessionMaxHours: 12,
      passwordMaxAgeDays: null,
      requireSecondFactor: false,
    });
  });

  it('require the second factor in production unless REQUIRE_2FA says otherwise', () => {
    expect(readEnv({ NODE_ENV: 'production' }).accounts.requireSecondFactor).toBe(true);
    expect(readEnv({ NODE_ENV: 'production', REQUIRE_2FA: 'false' }).accounts.requireSecondFactor).toBe(false);
    expect(readEnv({ REQUIRE_2FA: '1' }).accounts.requireSecondFactor).toBe(true);
  });

  it('take SESSION_IDLE_MINUTES, SESSION_MAX_HOURS, PASSWORD_MAX_AGE_DAYS, and name a wrong one', () => {
    expect(readEnv({ SESSION_IDLE_MINUTES: '15', SESSION_MAX_HOURS: '8', PASSWORD_MAX_AGE_DAYS: '90' }).accounts).toMatchObject({
      sessionIdleMinutes: 15,
      sessionMaxHours: 8,
      passwordMaxAgeDays: 90,
    });
    expect(() => readEnv({ REQUIRE_2FA: 'maybe' })).toThrow(/REQUIRE_2FA/);
    expect(() => readEnv({ SESSION_IDLE_MINUTES: '0' })).toThrow(/SESSION_IDLE_MINUTES/);
  });
});
