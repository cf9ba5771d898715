// Keeping a mail's bytes privately in the blob store (server/storage/: DATA_DIR on disk, or the
// private bucket): the raw message as `mail-raw/<sha256>.eml` (before anything else happens to
// it, so that whatever happens next the message exists), attachments as
// `mail-attachments/<sha256>-<name>` — never served — and a new report's images through the photo
// pipeline, as the web form's are. Objects are content-addressed and written once. The key is
// what the mail's row records (raw_path, an attachment's path): on disk, the path under DATA_DIR.
// The raw message and the attachments hold the sender's address and name: they are stored sealed
// with the data key (server/db/sealed-files.ts, ADR 019), still named by the plain bytes' sha256.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.ts';
import type { Keyring } from '../../db/data-keys.ts';
import type { Database } from '../../db/schema.ts';
import { putSealedFile } from '../../db/sealed-files.ts';
import type { WriteBatcher } from '../../db/write-batcher.ts';
import type { ProcessedPhoto } from '../../media/photo-pipeline.ts';
import type { PhotoPurpose } from '../../media/photo-repository.ts';
import type { PhotoStore } from '../../media/photo-store.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
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
  blobs: BlobStore;
  photos: MailPhotos;
  writes: WriteBatcher;
  clock: Clock;
  /** The data key the kept files are sealed with. */
  keyring: Keyring;
  /** Attachment bytes kept per message; the rest are listed only. */
  maxAttachmentBytes: number;
}

export function createMailFiles(deps: MailFilesDeps) {
  const { blobs, photos, writes, clock, keyring } = deps;

  /** Content-addressed objects (by the plain bytes): written once, sealed; left alone when already there. */
  async function writeOnce(key: string, content: Buffer, contentType: string): Promise<string> {
    if (!(await blobs.head(key))) await putSealedFile(blobs, keyring, key, content, contentType);
    return key;
  }

  /** `mail-raw/<sha256>.eml`; the key is returned. */
  async function keepRaw(hash: string, raw: Buffer): Promise<string> {
    return writeOnce(`mail-raw/${hash}.eml`, raw, 'message/rfc822');
  }

  /** `mail-attachments/<sha256>-<safe name>`: never served; the key is returned. */
  async function keepFile(content: Buffer, filename: string | null, contentType: string): Promise<string> {
    const hash = createHash('sha256').update(content).digest('hex');
    const safe = (filename ?? 'attachment')
      .normalize('NFKC')
      .replace(/[^\p{L}\p{N}._-]+/gu, '_')
      .replace(/^\.+/, '')
      .slice(0, 80);
    // The sender wrote the type: only a plain `type/subtype` goes into the object's header.
    const type = /^[\w.+-]{1,64}\/[\w.+-]{1,128}$/.test(contentType) ? contentType : 'application/octet-stream';
    return writeOnce(`mail-attachments/${hash}-${safe || 'attachment'}`, content, type);
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
      entry.path = await keepFile(a.content, a.filename, a.contentType);
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
        entry.path = await keepFile(a.content, a.filename, a.contentType);
      }
    }
    return out;
  }

  return { keepRaw, keepAttachments, keepFiles };
}
