// Mail settings (SMTP_URL, MAIL_FROM) and the retry schedule.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { retryDelayMs } from '../../server/notify/mail-delivery.ts';
import { DEFAULT_MAIL_FROM, mailEnvShape, mailSettings, redactSmtpUrl } from '../../server/notify/mail-settings.ts';

const schema = z.object(mailEnvShape);

function issues(env: Record<string, string>): string[] {
  const parsed = schema.safeParse(env);
  return parsed.success ? [] : parsed.error.issues.map((i) => String(i.path[0]));
}

describe('mail settings', () => {
  it('default to .eml files and the campaign office as sender', () => {
    const settings = mailSettings(schema.parse({}));
    expect(settings).toEqual({ smtpUrl: undefined, from: DEFAULT_MAIL_FROM, messageIdDomain: 'localhost' });
  });

  it('accept smtp:// and smtps:// URLs with credentials; an empty SMTP_URL means unset', () => {
    expect(schema.parse({ SMTP_URL: 'smtp://user:pass@mail.example.org:587' }).SMTP_URL).toBe('smtp://user:pass@mail.example.org:587');
    expect(schema.parse({ SMTP_URL: 'smtps://mail.example.org' }).SMTP_URL).toBe('smtps://mail.example.org');
    expect(schema.parse({ SMTP_URL: '' }).SMTP_URL).toBeUndefined();
  });

  it('refuse what is not an SMTP URL or one sender, naming the variable', () => {
    expect(issues({ SMTP_URL: 'mail.example.org:25' })).toEqual(['SMTP_URL']);
    expect(issues({ SMTP_URL: 'http://mail.example.org' })).toEqual(['SMTP_URL']);
    expect(issues({ MAIL_FROM: 'noreply' })).toEqual(['MAIL_FROM']);
    expect(issues({ MAIL_FROM: 'a@example.org, b@example.org' })).toEqual(['MAIL_FROM']);
  });

  it('take the Message-ID domain from the sender', () => {
    expect(mailSettings({ MAIL_FROM: '"临城县创城办" <noreply@cc.lincheng.example>' }).messageIdDomain).toBe('cc.lincheng.example');
    expect(mailSettings({ MAIL_FROM: 'office@lincheng.example' }).messageIdDomain).toBe('lincheng.example');
  });

  it('hide the password when the URL is logged', () => {
    expect(redactSmtpUrl('smtp://user:secret@mail.example.org:587')).toBe('smtp://user:***@mail.example.org:587');
    expect(redactSmtpUrl('smtp://mail.example.org:25')).toBe('smtp://mail.example.org:25');
  });
});

describe('retry schedule', () => {
  it('doubles from one minute and stays at one hour', () => {
    const minutes = [1, 2, 3, 4, 5, 6, 7, 8, 12].map((n) => retryDelayMs(n) / 60_000);
    expect(minutes).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
  });
});
