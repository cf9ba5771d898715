// The outbox's calls to the server, as the sender (outbox-sender.ts) wants them: a photo to
// POST /api/uploads (the report form's upload-photo.ts), a record to inspection.recordItem or
// inspection.recordRecheck (the typed client), each answering done, later (no answer: offline,
// a timeout, throttled, a server error, the session ended) or refused (the server's message).
import { api, outcomeOf } from '../../lib/api-client.ts';
import { uploadPhoto } from '../report/upload-photo.ts';
import { photosToSend, type OutboxEntry, type OutboxPhoto, type SentResult } from './outbox.ts';
import type { CallOutcome } from './outbox-sender.ts';

/** No answer worth keeping: try again later (offline, throttled, the server failed). */
const isLater = (status: number) => status === 0 || status === 408 || status === 429 || status >= 500;
/** The session ended: the entries wait until the inspector signs in again. */
const isSignedOut = (status: number) => status === 401;

/** Why nothing was sent, in the bar's words (the pages' own messages tell the person to press 重试). */
function later(status: number): CallOutcome<never> {
  const message =
    status === 0
      ? '现在连不上网络'
      : status === 429
        ? '发送太频繁，稍后自动再试'
        : isSignedOut(status)
          ? '登录已过期'
          : '服务器暂时出了问题，稍后自动再试';
  return { kind: 'later', message, signedOut: isSignedOut(status) };
}

export async function uploadOutboxPhoto(photo: OutboxPhoto): Promise<CallOutcome<{ id: string; thumbUrl: string }>> {
  if (!photo.blob) return { kind: 'refused', message: '照片已不在手机上，请重新拍照。' };
  const file = new File([photo.blob], photo.name || 'photo.jpg', { type: photo.blob.type || 'image/jpeg' });
  const outcome = await uploadPhoto(file, () => undefined).done;
  if (outcome.ok) return { kind: 'ok', value: { id: outcome.photo.id, thumbUrl: outcome.photo.thumbUrl } };
  if (isLater(outcome.status) || isSignedOut(outcome.status)) return later(outcome.status);
  return { kind: 'refused', message: outcome.message };
}

const photoIdsOf = (entry: OutboxEntry) =>
  photosToSend(entry)
    .map((p) => p.id)
    .filter((id): id is string => id !== null);

export async function recordOutboxEntry(entry: OutboxEntry): Promise<CallOutcome<SentResult>> {
  const note = entry.note.trim();
  const common = {
    roundId: entry.roundId,
    observedAt: entry.observedAt,
    idempotencyKey: entry.idempotencyKey,
    ...(note && { note }),
    ...(photosToSend(entry).length > 0 && { photoIds: photoIdsOf(entry) }),
  };
  const outcome =
    entry.kind === 'item'
      ? await outcomeOf(
          api.inspection.recordItem
            .mutate({ ...common, pointId: entry.pointId, itemCode: entry.itemCode, verdict: entry.verdict })
            .then((r): SentResult => ({ kind: 'item', verdict: r.verdict, trackingCode: r.trackingCode })),
          '',
        )
      : await outcomeOf(
          api.inspection.recordRecheck
            .mutate({ ...common, ticketId: entry.ticketId, verdict: entry.verdict })
            .then((r): SentResult => ({ kind: 'recheck', verdict: r.verdict })),
          '',
        );
  if (outcome.kind === 'ok') return { kind: 'ok', value: outcome.data };
  if (isLater(outcome.status) || isSignedOut(outcome.status)) return later(outcome.status);
  return { kind: 'refused', message: outcome.message || '服务器没有接受这一项，请联系创城办。' };
}
