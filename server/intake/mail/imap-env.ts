// The mailbox settings, as a fragment for server/env.ts (validated once at start): unset
// MAIL_IMAP_URL means the portal reads no mailbox (mail can still be imported with
// `npm run mail:import`).
import { z } from 'zod';
import { imapSettingsFromUrl, type ImapSettings } from './imap-intake.ts';

export const imapEnvShape = {
  MAIL_IMAP_URL: z
    .string()
    .optional()
    .transform((v) => v || undefined)
    .refine((v) => v === undefined || /^imaps?:\/\/[^@]+@[^/]+/.test(v), 'must look like imaps://user:password@host:993 (or be unset)')
    .describe('The dedicated mailbox to read (imap:// or imaps://, user and password URL-encoded).'),
  MAIL_IMAP_INBOX: z.string().min(1).default('INBOX').describe('Folder new mail arrives in.'),
  MAIL_IMAP_PROCESSED: z.string().min(1).default('Processed').describe('Folder handled mail is moved to.'),
  MAIL_IMAP_QUARANTINE: z.string().min(1).default('Quarantine').describe('Folder mail that could not be handled is moved to.'),
  MAIL_IMAP_MAX_PER_RUN: z.coerce.number().int().min(1).max(1000).default(50).describe('Messages handled per worker pass at most.'),
};

export function imapSettings(values: {
  MAIL_IMAP_URL?: string | undefined;
  MAIL_IMAP_INBOX: string;
  MAIL_IMAP_PROCESSED: string;
  MAIL_IMAP_QUARANTINE: string;
  MAIL_IMAP_MAX_PER_RUN: number;
}): ImapSettings | null {
  if (!values.MAIL_IMAP_URL) return null;
  return imapSettingsFromUrl(values.MAIL_IMAP_URL, {
    inbox: values.MAIL_IMAP_INBOX,
    processedFolder: values.MAIL_IMAP_PROCESSED,
    quarantineFolder: values.MAIL_IMAP_QUARANTINE,
    maxPerRun: values.MAIL_IMAP_MAX_PER_RUN,
  });
}
