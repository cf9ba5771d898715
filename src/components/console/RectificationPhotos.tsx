// After-photos of a rectification: up to six, uploaded one at a time with a progress bar, a
// thumbnail, and retry/remove per photo (the same pattern and classes as the report form).
import { useEffect, useRef, useState } from 'preact/hooks';
import { uploadPhoto } from '../report/upload-photo.ts';
import type { UploadedPhoto } from '../report/report-form-model.ts';

export interface PhotoItem {
  key: number;
  name: string;
  file: File;
  preview: string;
  state: 'queued' | 'uploading' | 'done' | 'error';
  progress: number;
  error: string;
  photo: UploadedPhoto | null;
}

let nextKey = 1;

interface Props {
  id: string;
  items: PhotoItem[];
  setItems: (update: (items: PhotoItem[]) => PhotoItem[]) => void;
  maxPhotos: number;
  error?: string | undefined;
}

export function RectificationPhotos({ id, items, setItems, maxPhotos, error }: Props) {
  const inputRef = useRef<HTMLInputElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  const aborts = useRef(new Map<number, () => void>());
  const [announcement, setAnnouncement] = useState('');
  const remaining = maxPhotos - items.length;

  const update = (key: number, patch: Partial<PhotoItem>) =>
    setItems((list) => list.map((item) => (item.key === key ? { ...item, ...patch } : item)));

  useEffect(() => {
    if (items.some((i) => i.state === 'uploading')) return;
    const next = items.find((i) => i.state === 'queued');
    if (!next) return;
    const n = items.indexOf(next) + 1;
    update(next.key, { state: 'uploading', progress: 0, error: '' });
    const { done, abort } = uploadPhoto(next.file, (progress) => update(next.key, { progress }), 'rectification');
    aborts.current.set(next.key, abort);
    void done.then((outcome) => {
      aborts.current.delete(next.key);
      if (outcome.ok) {
        update(next.key, { state: 'done', progress: 100, photo: outcome.photo });
        setAnnouncement(`第${n}张整改照片上传完成。`);
      } else if (!outcome.aborted) {
        update(next.key, { state: 'error', error: outcome.message });
        setAnnouncement(`第${n}张整改照片上传失败：${outcome.message}`);
      }
    });
  }, [items]);

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
    setItems((list) => [
      ...list,
      ...accepted.map((file): PhotoItem => ({
        key: nextKey++,
        name: file.name,
        file,
        preview: URL.createObjectURL(file),
        state: file.size === 0 ? 'error' : 'queued',
        progress: 0,
        error: file.size === 0 ? '这个文件是空的，请换一张照片。' : '',
        photo: null,
      })),
    ]);
  };

  const remove = (item: PhotoItem, index: number) => {
    aborts.current.get(item.key)?.();
    URL.revokeObjectURL(item.preview);
    setItems((list) => list.filter((i) => i.key !== item.key));
    setAnnouncement(`已删除第${index + 1}张照片。`);
    addRef.current?.focus();
  };

  return (
    <fieldset class={error ? 'field has-error' : 'field'}>
      <legend>
        整改后照片 <span class="optional">（最多{maxPhotos}张）</span>
      </legend>
      <p class="hint" id={`${id}-hint`}>
        请拍摄与整改前同一位置的照片，便于创城办核验。
      </p>
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      {items.length > 0 ? (
        <ul class="photo-list">
          {items.map((item, index) => {
            const n = index + 1;
            return (
              <li key={item.key} class={item.state === 'error' ? 'photo-item is-error' : 'photo-item'}>
                <img class="photo-thumb" src={item.photo?.thumbUrl ?? item.preview} alt="" width={88} height={88} />
                <div class="photo-body">
                  <p class="photo-name">
                    第{n}张：{item.name}
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
                    {item.state === 'error' && item.file.size > 0 ? (
                      <button
                        type="button"
                        class="button-small"
                        onClick={() => update(item.key, { state: 'queued', progress: 0, error: '' })}
                        aria-label={`重试上传第${n}张照片`}
                      >
                        重试
                      </button>
                    ) : null}
                    <button type="button" class="button-small" onClick={() => remove(item, index)} aria-label={`删除第${n}张照片`}>
                      删除
                    </button>
                  </div>
                </div>
              </li>
            );
          })}
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
        id={id}
        ref={addRef}
        onClick={() => inputRef.current?.click()}
        disabled={remaining <= 0}
        aria-describedby={[`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ')}
      >
        ＋ 添加整改后照片
      </button>
      <p class="hint photo-remaining">{remaining > 0 ? `还可以添加${remaining}张` : `已达到${maxPhotos}张上限`}</p>
      <p class="hint" aria-live="polite">
        {announcement}
      </p>
    </fieldset>
  );
}
