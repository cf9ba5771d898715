// One after-photo → POST /api/uploads?purpose=rectification (multipart, field "file"; needs the
// staff session cookie), through XMLHttpRequest for the progress bar, like the report form.
export interface UploadedPhoto {
  id: string;
  url: string;
  thumbUrl: string;
}

export type UploadOutcome = { ok: true; photo: UploadedPhoto } | { ok: false; message: string; aborted: boolean };

function messageFor(status: number, body: unknown): string {
  const error = (body as { error?: { message?: unknown; fields?: { file?: unknown } } } | null)?.error;
  if (typeof error?.fields?.file === 'string') return error.fields.file;
  if (typeof error?.message === 'string' && error.message) return error.message;
  if (status === 413) return '照片太大，请换一张较小的照片。';
  if (status === 415) return '不支持这种图片格式，请上传 JPG、PNG 等常见格式的照片。';
  if (status === 403) return '登录已过期，请重新登录后再上传。';
  return '照片上传失败，请点“重试”。';
}

export function uploadRectificationPhoto(
  file: File,
  onProgress: (percent: number) => void,
): { done: Promise<UploadOutcome>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<UploadOutcome>((resolve) => {
    xhr.open('POST', '/api/uploads?purpose=rectification');
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
        resolve({ ok: false, aborted: false, message: messageFor(xhr.status, body) });
      }
    };
    const networkFailure = () => resolve({ ok: false, aborted: false, message: '网络连接失败，照片没有传上去。请检查网络后点“重试”。' });
    xhr.onerror = networkFailure;
    xhr.ontimeout = networkFailure;
    xhr.onabort = () => resolve({ ok: false, aborted: true, message: '' });
    const body = new FormData();
    body.append('file', file, file.name || 'photo');
    xhr.send(body);
  });
  return { done, abort: () => xhr.abort() };
}
