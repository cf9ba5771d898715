// The mail settings, as a fragment for server/env.ts (validated once at start, DESIGN rule 8):
// spread `mailEnvShape` into the env schema and turn the parsed values into `MailSettings`.
import { z } from 'zod';

export const DEFAULT_MAIL_FROM = '"临城县创城办" <noreply@localhost>';

export interface MailSettings {
  /** undefined: write mail as .eml files under DATA_DIR/mail-out/ instead of sending it. */
  smtpUrl: string | undefined;
  from: string;
  /** The right-hand side of the Message-IDs we assign: the domain of the From address. */
  messageIdDomain: string;
}

const SMTP_URL_MESSAGE = 'must look like smtp://user:password@host:587 or smtps://user:password@host:465 (or be unset)';
const MAIL_FROM_MESSAGE = 'must be one address, e.g. "临城县创城办" <noreply@example.org> or noreply@example.org';

export const mailEnvShape = {
  SMTP_URL: z
    .string()
    .optional()
    // `SMTP_URL=` in an env file means "not set", not "an invalid URL".
    .transform((v) => v || undefined)
    .refine((v) => v === undefined || isSmtpUrl(v), SMTP_URL_MESSAGE)
    .describe(
      'Mail server for notifications (smtp:// or smtps://, credentials in the URL); unset writes .eml files under DATA_DIR/mail-out/.',
    ),
  MAIL_FROM: z
    .string()
    .default(DEFAULT_MAIL_FROM)
    .refine((v) => fromAddress(v) !== null, MAIL_FROM_MESSAGE)
    .describe('Sender of notification mail.'),
};

export function mailSettings(values: { SMTP_URL?: string | undefined; MAIL_FROM: string }): MailSettings {
  const address = fromAddress(values.MAIL_FROM);
  if (!address) throw new Error(`MAIL_FROM ${MAIL_FROM_MESSAGE}`);
  return {
    smtpUrl: values.SMTP_URL || undefined,
    from: values.MAIL_FROM.trim(),
    messageIdDomain: address.slice(address.lastIndexOf('@') + 1),
  };
}

/** The SMTP URL with its password hidden, for the start-up log. */
export function redactSmtpUrl(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  if (url.password) url.password = '***';
  return url.toString();
}

function isSmtpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const BARE = /^[^\s<>@",;]+@[^\s<>@",;]+$/;
const NAMED = /^(?:"[^"\r\n]*"|[^"<>\r\n]*)\s*<([^\s<>@",;]+@[^\s<>@",;]+)>$/;

/** The bare address in `addr` or `Name <addr>`, or null when it is not exactly one address. */
function fromAddress(value: string): string | null {
  const v = value.trim();
  if (BARE.test(v)) return v;
  return NAMED.exec(v)?.[1] ?? null;
}
