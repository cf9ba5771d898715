// Keeping a mail's bytes privately on disk: the raw message under DATA_DIR/mail-raw/ (before
// anything else happens to it, so that whatever happens next the message exists), attachments
// under DATA_DIR/mail-attachments/ — never served — and a new report's images through the photo
// pipeline, as the web form's are. Files are content-addressed and written once.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.ts';
import type { Database } from '../../db/schema.ts';
import type { WriteBatcher } from '../../db/write-batcher.ts';
import type { ProcessedPhoto } from '../../media/photo-pipeline.ts';
import type { PhotoPurpose } from '../../media/photo-repository.ts';
import type { PhotoStore } from '../../media/photo-store.ts';
import { MAX_PHOTOS } from '../report-schema.ts';
import { describe, type AttachmentRecord } from './mail-decision.ts';
import type { ParsedMail } from './parse-mail.ts';

export interface MailPhotos {
  process(bytes: Uint8Array): Promise<ProcessedPhoto>;
  store: Pick<PhotoStore, 'save'>;
  record(
    db: Kysely<Database>,
    photo: { id: string; purpose: PhotoPurpose; width: number; height: number; sha256: string; at: string },
  ): Promise<void>;
}

export interface MailFilesDeps {
  dataDir: string;
  photos: MailPhotos;
  writes: WriteBatcher;
  clock: Clock;
  /** Attachment bytes kept per message; the rest are listed only. */
  maxAttachmentBytes: number;
}

export function createMailFiles(deps: MailFilesDeps) {
  const { dataDir, photos, writes, clock } = deps;
  const rawDir = path.join(dataDir, 'mail-raw');
  const attachmentDir = path.join(dataDir, 'mail-attachments');

  /** DATA_DIR/mail-raw/<sha256>.eml; the path relative to DATA_DIR. */
  async function keepRaw(hash: string, raw: Buffer): Promise<string> {
    const file = path.join(rawDir, `${hash}.eml`);
    await writeOnce(file, raw);
    return path.relative(dataDir, file);
  }

  /** DATA_DIR/mail-attachments/<sha256>-<safe name>: never served; the path relative to DATA_DIR. */
  async function keepFile(content: Buffer, filename: string | null): Promise<string> {
    const hash = createHash('sha256').update(content).digest('hex');
    const safe = (filename ?? 'attachment')
      .normalize('NFKC')
      .replace(/[^\p{L}\p{N}._-]+/gu, '_')
      .replace(/^\.+/, '')
      .slice(0, 80);
    const file = path.join(attachmentDir, `${hash}-${safe || 'attachment'}`);
    await writeOnce(file, content);
    return path.relative(dataDir, file);
  }

  /** A new report's attachments: images through the photo pipeline (at most MAX_PHOTOS, as on the web form), the rest kept privately. */
  async function keepAttachments(list: ParsedMail['attachments']): Promise<AttachmentRecord[]> {
    const out: AttachmentRecord[] = [];
    let budget = deps.maxAttachmentBytes;
    let photoCount = 0;
    for (const a of list) {
      const entry: AttachmentRecord = { name: a.filename, type: a.contentType, size: a.size };
      out.push(entry);
      if (a.content.length > budget) {
        entry.refused = 'too large: not kept';
        continue;
      }
      budget -= a.content.length;
      if (a.contentType.toLowerCase().startsWith('image/') && photoCount < MAX_PHOTOS) {
        try {
          entry.photoId = await keepPhoto(a.content);
          photoCount++;
          continue;
        } catch (error) {
          entry.refused = describe(error);
        }
      }
      entry.path = await keepFile(a.content, a.filename);
    }
    return out;
  }

  async function keepPhoto(content: Buffer): Promise<string> {
    const processed = await photos.process(content);
    const { id } = await photos.store.save(processed);
    const { width, height, sha256 } = processed;
    await writes.run((trx) => photos.record(trx, { id, purpose: 'report', width, height, sha256, at: clock.now().toISOString() }));
    return id;
  }

  /** A reply's attachments: all kept privately and listed, none made a public photo (the office decides what they are). */
  async function keepFiles(list: ParsedMail['attachments']): Promise<AttachmentRecord[]> {
    const out: AttachmentRecord[] = [];
    let budget = deps.maxAttachmentBytes;
    for (const a of list) {
      const entry: AttachmentRecord = { name: a.filename, type: a.contentType, size: a.size };
      out.push(entry);
      if (a.content.length > budget) entry.refused = 'too large: not kept';
      else {
        budget -= a.content.length;
        entry.path = await keepFile(a.content, a.filename);
      }
    }
    return out;
  }

  return { keepRaw, keepAttachments, keepFiles };
}

/** Content-addressed files: written once (atomically), left alone when already there. */
async function writeOnce(file: string, content: Buffer): Promise<void> {
  // existsSync is one stat without an exception to build for the usual "not there yet"
  // (fs.access throws one); the directory is made only when the write finds it missing.
  if (existsSync(file)) return;
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temp, content);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(temp, content);
  }
  await fs.rename(temp, file);
}
