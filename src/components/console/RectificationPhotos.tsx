// After-photos of a rectification: up to six, uploaded one at a time with a progress bar, a
// thumbnail, and retry/remove per photo (the report form's uploads, list and classes).
import { HiddenFileInput, PhotoList, usePhotoUploads, type PhotoItem } from '../report/PhotoUploads.tsx';

interface Props {
  id: string;
  items: PhotoItem[];
  setItems: (update: (items: PhotoItem[]) => PhotoItem[]) => void;
  maxPhotos: number;
  error?: string | undefined;
}

export function RectificationPhotos({ id, items, setItems, maxPhotos, error }: Props) {
  const uploads = usePhotoUploads({ items, setItems, maxPhotos, purpose: 'rectification' });
  return (
    <fieldset class={error ? 'field has-error' : 'field'}>
      <legend>
        整改后照片 <span class="optional">（至少1张，最多{maxPhotos}张）</span>
      </legend>
      <p class="hint" id={`${id}-hint`}>
        请在整改前照片的同一位置拍，便于创城办对照核验。
      </p>
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      <PhotoList items={items} onRemove={uploads.remove} onRetry={uploads.retry} />
      <HiddenFileInput inputRef={uploads.inputRef} onFiles={uploads.addFiles} />
      <button
        type="button"
        id={id}
        ref={uploads.addRef}
        onClick={() => uploads.inputRef.current?.click()}
        disabled={uploads.remaining <= 0}
        aria-describedby={[`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ')}
      >
        ＋ 添加整改后照片
      </button>
      <p class="hint photo-remaining">{uploads.remaining > 0 ? `还可以添加${uploads.remaining}张` : `已达到${maxPhotos}张上限`}</p>
      <p class="hint" aria-live="polite">
        {uploads.announcement}
      </p>
    </fieldset>
  );
}
