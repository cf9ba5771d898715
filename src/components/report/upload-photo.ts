// One photo → POST /api/uploads (multipart, field "file"), through XMLHttpRequest because
// fetch cannot report upload progress. Each photo has its own request, progress and retry.
// Residents' before-photos and units' after-photos (purpose "rectification", which needs the
// staff session cookie) go the same way, and so do inspectors' photos, sent later from their
// phone's outbox (src/components/inspect/), which tell "no answer, try later" (status 0, 429, 5xx)
// from a refusal by the failure's status.
import type { UploadedPhoto } from './report-form-model.ts';

export type UploadOutcome =
  | { ok: true; photo: UploadedPhoto }
  /** status: the HTTP status of the refusal, 0 when no answer came. */
  | { ok: false; message: string; aborted: boolean; status: number };

function messageFor(status: number, body: unknown): string {
  const error = (body as { error?: { message?: unknown; fields?: { file?: unknown } } } | null)?.error;
  if (typeof error?.fields?.file === 'string') return error.fields.file;
  if (typeof error?.message === 'string' && error.message) return error.message;
  if (status === 413) return '照片太大，请换一张较小的照片。';
  if (status === 415) return '不支持这种图片格式，请上传 JPG、PNG 等常见格式的照片。';
  if (status === 429) return '上传太频繁，请稍等一会儿再点“重试”。';
  if (status === 403) return '登录已过期，请重新登录后再上传。';
  return '照片上传失败，请点“重试”。';
}

export function uploadPhoto(
  file: File,
  onProgress: (percent: number) => void,
  purpose: 'report' | 'rectification' = 'report',
): { done: Promise<UploadOutcome>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<UploadOutcome>((resolve) => {
    xhr.open('POST', purpose === 'report' ? '/api/uploads' : `/api/uploads?purpose=${purpose}`);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.timeout = 120_000;
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(Math.min(99, Math.round((event.loaded / event.total) * 100)));
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON: the status alone decides the message.
      }
      const photo = body as Partial<UploadedPhoto> | null;
      if (
        xhr.status === 200 &&
        photo &&
        typeof photo.id === 'string' &&
        typeof photo.url === 'string' &&
        typeof photo.thumbUrl === 'string'
      ) {
        onProgress(100);
        resolve({ ok: true, photo: { id: photo.id, url: photo.url, thumbUrl: photo.thumbUrl } });
      } else {
        resolve({ ok: false, aborted: false, status: xhr.status, message: messageFor(xhr.status, body) });
      }
    };
    const networkFailure = () =>
      resolve({ ok: false, aborted: false, status: 0, message: '网络连接失败，照片没有传上去。请检查网络后点“重试”。' });
    xhr.onerror = networkFailure;
    xhr.ontimeout = networkFailure;
    xhr.onabort = () => resolve({ ok: false, aborted: true, status: 0, message: '' });
    const body = new FormData();
    body.append('file', file, file.name || 'photo');
    xhr.send(body);
  });
  return { done, abort: () => xhr.abort() };
}
