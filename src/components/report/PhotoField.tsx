// Up to six photos (the schema's MAX_PHOTOS). Without JavaScript: a plain file input, sent with the form. With it:
// each photo is uploaded on its own, one after the other, with a progress bar, a thumbnail, and
// its own message, retry and remove buttons; the report then refers to the uploaded ids.
import { useEffect, useRef, useState } from 'preact/hooks';
import { describedBy, FieldError, fieldClass } from './form-parts.tsx';
import type { FormErrors, UploadedPhoto } from './report-form-model.ts';
import { uploadPhoto } from './upload-photo.ts';

export interface PhotoItem {
  key: number;
  name: string;
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

interface Props {
  items: PhotoItem[];
  setItems: (update: (items: PhotoItem[]) => PhotoItem[]) => void;
  /** Photos uploaded by an earlier plain POST, kept in hidden fields. */
  kept: UploadedPhoto[];
  enhanced: boolean;
  errors: FormErrors;
  /** Files chosen in the plain file input before the island took over. */
  noJsInputRef: { current: HTMLInputElement | null };
  maxPhotos: number;
}

export function PhotoField({ items, setItems, kept, enhanced, errors, noJsInputRef, maxPhotos }: Props) {
  const inputRef = useRef<HTMLInputElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  const aborts = useRef(new Map<number, () => void>());
  const [announcement, setAnnouncement] = useState('');
  const remaining = maxPhotos - items.length;

  const update = (key: number, patch: Partial<PhotoItem>) =>
    setItems((list) => list.map((item) => (item.key === key ? { ...item, ...patch } : item)));

  // One upload at a time, in the order the photos were added.
  useEffect(() => {
    if (items.some((i) => i.state === 'uploading')) return;
    const next = items.find((i) => i.state === 'queued');
    if (!next?.file) return;
    const index = items.indexOf(next) + 1;
    update(next.key, { state: 'uploading', progress: 0, error: '' });
    const { done, abort } = uploadPhoto(next.file, (progress) => update(next.key, { progress }));
    aborts.current.set(next.key, abort);
    void done.then((outcome) => {
      aborts.current.delete(next.key);
      if (outcome.ok) {
        update(next.key, { state: 'done', progress: 100, photo: outcome.photo });
        setAnnouncement(`第${index}张照片上传完成。`);
      } else if (!outcome.aborted) {
        update(next.key, { state: 'error', error: outcome.message });
        setAnnouncement(`第${index}张照片上传失败：${outcome.message}`);
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

  const addFiles = (files: FileList | null) => {
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

  // Files picked in the plain input before hydration are not lost.
  useEffect(() => {
    if (enhanced && noJsInputRef.current?.files?.length) addFiles(noJsInputRef.current.files);
  }, [enhanced]);

  const remove = (item: PhotoItem, index: number) => {
    aborts.current.get(item.key)?.();
    if (item.preview) URL.revokeObjectURL(item.preview);
    setItems((list) => list.filter((i) => i.key !== item.key));
    setAnnouncement(`已删除第${index + 1}张照片。`);
    addRef.current?.focus();
  };

  const retry = (item: PhotoItem) => update(item.key, { state: 'queued', progress: 0, error: '' });

  if (!enhanced) {
    return (
      <fieldset class="section">
        <legend>
          照片 <span class="optional">（选填，最多{maxPhotos}张）</span>
        </legend>
        <div class={fieldClass('photos', errors)}>
          <label for="photos">选择照片</label>
          <p class="hint" id="photos-hint">
            支持 JPG、PNG、WebP、AVIF、GIF 格式的照片。可以一次选择多张。
          </p>
          <FieldError id="photos" errors={errors} />
          {kept.length > 0 ? (
            <>
              <p>已上传的照片（{kept.length}张，会随反映一起提交）：</p>
              <ul class="photo-grid">
                {kept.map((photo, i) => (
                  <li key={photo.id}>
                    <img src={photo.thumbUrl} alt={`已上传的第${i + 1}张照片`} width={104} height={104} />
                    <input type="hidden" name="photoIds" value={photo.id} />
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <input
            type="file"
            id="photos"
            name="photos"
            ref={noJsInputRef}
            accept="image/*"
            multiple
            aria-describedby={describedBy('photos', errors, 'photos-hint')}
          />
        </div>
      </fieldset>
    );
  }

  return (
    <fieldset class="section">
      <legend>
        照片 <span class="optional">（选填，最多{maxPhotos}张）</span>
      </legend>
      <div class={fieldClass('photos', errors)}>
        <p class="hint" id="photos-hint">
          拍下问题现场更容易处理。支持 JPG、PNG、WebP、AVIF、GIF 格式，照片会一张一张上传。
        </p>
        <FieldError id="photos" errors={errors} />
        {items.length > 0 ? (
          <ul class="photo-list">
            {items.map((item, index) => (
              <PhotoRow key={item.key} item={item} index={index} onRemove={remove} onRetry={retry} />
            ))}
          </ul>
        ) : null}
        <input
          type="file"
          ref={inputRef}
          accept="image/*"
          multiple
          hidden
          tabIndex={-1}
          onChange={(e) => {
            addFiles(e.currentTarget.files);
            e.currentTarget.value = '';
          }}
        />
        <button
          type="button"
          id="photos"
          ref={addRef}
          onClick={() => inputRef.current?.click()}
          disabled={remaining <= 0}
          aria-describedby={describedBy('photos', errors, 'photos-hint', 'photos-remaining')}
        >
          ＋ 添加照片
        </button>
        <p class="hint" id="photos-remaining" style={{ marginTop: '0.4rem' }}>
          {remaining > 0 ? `还可以添加${remaining}张` : `已达到${maxPhotos}张上限`}
        </p>
        <p class="hint" aria-live="polite">
          {announcement}
        </p>
      </div>
    </fieldset>
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
