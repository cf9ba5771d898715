// Photos uploaded one at a time, in the order they were added, each with a progress bar, a
// thumbnail, and its own message, retry and remove buttons; a polite live line says what happened.
// The residents' photo field of the report form and the units' after-photos in the console use it
// alike (it lives here, with the report form, so that the report island never loads console code).
import type { Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { UploadedPhoto } from './report-form-model.ts';
import { uploadPhoto } from './upload-photo.ts';

export interface PhotoItem {
  key: number;
  name: string;
  /** Null for a photo uploaded before (kept from an earlier plain POST). */
  file: File | null;
  /** Object URL of the local file while it uploads. */
  preview: string | null;
  state: 'queued' | 'uploading' | 'done' | 'error';
  progress: number;
  error: string;
  photo: UploadedPhoto | null;
}

let nextKey = 1;

export function keptPhotoItem(photo: UploadedPhoto): PhotoItem {
  return { key: nextKey++, name: '', file: null, preview: null, state: 'done', progress: 100, error: '', photo };
}

interface Options {
  items: PhotoItem[];
  setItems: (update: (items: PhotoItem[]) => PhotoItem[]) => void;
  maxPhotos: number;
  purpose: 'report' | 'rectification';
}

export function usePhotoUploads({ items, setItems, maxPhotos, purpose }: Options) {
  const inputRef = useRef<HTMLInputElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  const aborts = useRef(new Map<number, () => void>());
  const [announcement, setAnnouncement] = useState('');
  const noun = purpose === 'rectification' ? '整改照片' : '照片';

  const update = (key: number, patch: Partial<PhotoItem>) =>
    setItems((list) => list.map((item) => (item.key === key ? { ...item, ...patch } : item)));

  // One upload at a time, in the order the photos were added.
  useEffect(() => {
    if (items.some((i) => i.state === 'uploading')) return;
    const next = items.find((i) => i.state === 'queued');
    if (!next?.file) return;
    const n = items.indexOf(next) + 1;
    update(next.key, { state: 'uploading', progress: 0, error: '' });
    const { done, abort } = uploadPhoto(next.file, (progress) => update(next.key, { progress }), purpose);
    aborts.current.set(next.key, abort);
    void done.then((outcome) => {
      aborts.current.delete(next.key);
      if (outcome.ok) {
        update(next.key, { state: 'done', progress: 100, photo: outcome.photo });
        setAnnouncement(`第${n}张${noun}上传完成。`);
      } else if (!outcome.aborted) {
        update(next.key, { state: 'error', error: outcome.message });
        setAnnouncement(`第${n}张${noun}上传失败：${outcome.message}`);
      }
    });
  }, [items]);

  // Stop uploads still running when the form goes away.
  useEffect(
    () => () => {
      for (const abort of aborts.current.values()) abort();
    },
    [],
  );

  const addFiles = (files: FileList | readonly File[] | null) => {
    if (!files || files.length === 0) return;
    const chosen = [...files];
    const accepted = chosen.slice(0, Math.max(0, maxPhotos - items.length));
    const skipped = chosen.length - accepted.length;
    setAnnouncement(
      skipped > 0 ? `最多上传${maxPhotos}张照片，多选的${skipped}张没有添加。` : `已添加${accepted.length}张照片，正在上传。`,
    );
    const added = accepted.map((file): PhotoItem => ({
      key: nextKey++,
      name: file.name,
      file,
      preview: URL.createObjectURL(file),
      state: file.size === 0 ? 'error' : 'queued',
      progress: 0,
      error: file.size === 0 ? '这个文件是空的，请换一张照片。' : '',
      photo: null,
    }));
    setItems((list) => [...list, ...added]);
  };

  const remove = (item: PhotoItem, index: number) => {
    aborts.current.get(item.key)?.();
    if (item.preview) URL.revokeObjectURL(item.preview);
    setItems((list) => list.filter((i) => i.key !== item.key));
    setAnnouncement(`已删除第${index + 1}张照片。`);
    addRef.current?.focus();
  };

  const retry = (item: PhotoItem) => update(item.key, { state: 'queued', progress: 0, error: '' });

  return { inputRef, addRef, announcement, remaining: maxPhotos - items.length, addFiles, remove, retry };
}

/** The file input behind the add button: hidden and out of the tab order; the button opens it. */
export function HiddenFileInput({ inputRef, onFiles }: { inputRef: Ref<HTMLInputElement>; onFiles: (files: FileList | null) => void }) {
  return (
    <input
      type="file"
      ref={inputRef}
      accept="image/*"
      multiple
      hidden
      tabIndex={-1}
      onChange={(e) => {
        onFiles(e.currentTarget.files);
        e.currentTarget.value = '';
      }}
    />
  );
}

export function PhotoList({
  items,
  onRemove,
  onRetry,
}: {
  items: PhotoItem[];
  onRemove: (item: PhotoItem, index: number) => void;
  onRetry: (item: PhotoItem) => void;
}) {
  if (items.length === 0) return null;
  return (
    <ul class="photo-list">
      {items.map((item, index) => (
        <PhotoRow key={item.key} item={item} index={index} onRemove={onRemove} onRetry={onRetry} />
      ))}
    </ul>
  );
}

function PhotoRow({
  item,
  index,
  onRemove,
  onRetry,
}: {
  item: PhotoItem;
  index: number;
  onRemove: (item: PhotoItem, index: number) => void;
  onRetry: (item: PhotoItem) => void;
}) {
  const n = index + 1;
  const src = item.photo?.thumbUrl ?? item.preview;
  return (
    <li class={item.state === 'error' ? 'photo-item is-error' : 'photo-item'}>
      {src ? <img class="photo-thumb" src={src} alt="" width={88} height={88} /> : <span class="photo-thumb" />}
      <div class="photo-body">
        <p class="photo-name">
          第{n}张{item.name ? `：${item.name}` : ''}
        </p>
        {item.state === 'queued' ? <p class="photo-status">等待上传…</p> : null}
        {item.state === 'uploading' ? (
          <>
            <p class="photo-status">正在上传 {item.progress}%</p>
            <progress max={100} value={item.progress} aria-label={`第${n}张照片上传进度`} />
          </>
        ) : null}
        {item.state === 'done' ? <p class="photo-status">✓ 已上传</p> : null}
        {item.state === 'error' ? <p class="photo-status field-error">{item.error}</p> : null}
        <div class="photo-actions">
          {item.state === 'error' && item.file && item.file.size > 0 ? (
            <button type="button" class="button-small" onClick={() => onRetry(item)} aria-label={`重试上传第${n}张照片`}>
              重试
            </button>
          ) : null}
          <button type="button" class="button-small" onClick={() => onRemove(item, index)} aria-label={`删除第${n}张照片`}>
            删除
          </button>
        </div>
      </div>
    </li>
  );
}
