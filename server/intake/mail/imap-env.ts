// The mailbox settings, as a fragment for server/env.ts (validated once at start): unset
// MAIL_IMAP_URL means the portal reads no mailbox (mail can still be imported with
// `npm run mail:import`).
import { z } from 'zod';
import { imapSettingsFromUrl, type ImapSettings } from './imap-intake.ts';
import type { MailLimits } from './mail-intake.ts';

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
  MAIL_IMAP_IDLE: z
    .enum(['0', '1', 'true', 'false'])
    .default('1')
    .transform((v) => v === '1' || v === 'true')
    .describe('Listen for new mail with IMAP IDLE between worker passes when the server offers it (0: read once per pass only).'),
  MAIL_MAX_MESSAGE_MB: z.coerce.number().min(1).max(500).default(40).describe('A larger mail is quarantined unread.'),
  MAIL_MAX_ATTACHMENTS_MB: z.coerce
    .number()
    .min(1)
    .max(500)
    .default(25)
    .describe('Attachments kept per mail (photos included); the rest are listed on the ticket, not kept.'),
  MAIL_TICKETS_PER_SENDER_PER_DAY: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(10)
    .describe('New tickets from one sender in 24 hours; further mail is quarantined as a flood (the office can re-process it).'),
  MAIL_ACKS_PER_SENDER_PER_DAY: z.coerce
    .number()
    .int()
    .min(0)
    .max(100)
    .default(3)
    .describe('Acknowledgements sent to one sender in 24 hours (name+tag@ counts as name@).'),
  MAIL_ACKS_PER_DOMAIN_PER_DAY: z.coerce
    .number()
    .int()
    .min(0)
    .max(100_000)
    .default(100)
    .describe('Acknowledgements sent to addresses of one mail domain (qq.com, 163.com …) in 24 hours.'),
  MAIL_AUTHSERV_ID: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    )
    .refine((ids) => ids.every((id) => /^[^\s;()"=]+$/.test(id)), 'must be host names separated by commas, e.g. mx.lincheng.gov.cn')
    .describe(
      'The authserv-id (usually the host name) the receiving mail server writes into Authentication-Results; comma-separated when several. Unset: no sender counts as authenticated.',
    ),
  MAIL_ACK_UNAUTHENTICATED: z
    .enum(['0', '1', 'true', 'false'])
    .default('0')
    .transform((v) => v === '1' || v === 'true')
    .describe('Acknowledge mail whose sender the trusted server did not authenticate (off: a forged From gets no mail from us).'),
};

export function imapSettings(values: {
  MAIL_IMAP_URL?: string | undefined;
  MAIL_IMAP_INBOX: string;
  MAIL_IMAP_PROCESSED: string;
  MAIL_IMAP_QUARANTINE: string;
  MAIL_IMAP_MAX_PER_RUN: number;
  MAIL_IMAP_IDLE: boolean;
}): ImapSettings | null {
  if (!values.MAIL_IMAP_URL) return null;
  return imapSettingsFromUrl(values.MAIL_IMAP_URL, {
    inbox: values.MAIL_IMAP_INBOX,
    processedFolder: values.MAIL_IMAP_PROCESSED,
    quarantineFolder: values.MAIL_IMAP_QUARANTINE,
    maxPerRun: values.MAIL_IMAP_MAX_PER_RUN,
    idle: values.MAIL_IMAP_IDLE,
  });
}

/** The intake's limits and whom it believes (mail-intake.ts), for mail read from the mailbox and imported alike. */
export function mailLimits(values: {
  MAIL_MAX_MESSAGE_MB: number;
  MAIL_MAX_ATTACHMENTS_MB: number;
  MAIL_TICKETS_PER_SENDER_PER_DAY: number;
  MAIL_ACKS_PER_SENDER_PER_DAY: number;
  MAIL_ACKS_PER_DOMAIN_PER_DAY: number;
  MAIL_AUTHSERV_ID: string[];
  MAIL_ACK_UNAUTHENTICATED: boolean;
}): MailLimits {
  return {
    maxMessageBytes: Math.round(values.MAIL_MAX_MESSAGE_MB * 1024 * 1024),
    maxAttachmentBytes: Math.round(values.MAIL_MAX_ATTACHMENTS_MB * 1024 * 1024),
    ticketsPerSenderPerDay: values.MAIL_TICKETS_PER_SENDER_PER_DAY,
    acknowledgementsPerSenderPerDay: values.MAIL_ACKS_PER_SENDER_PER_DAY,
    acknowledgementsPerDomainPerDay: values.MAIL_ACKS_PER_DOMAIN_PER_DAY,
    trustedAuthservIds: values.MAIL_AUTHSERV_ID,
    acknowledgeUnauthenticated: values.MAIL_ACK_UNAUTHENTICATED,
  };
}
