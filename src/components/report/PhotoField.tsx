// Up to six photos (the schema's MAX_PHOTOS). Without JavaScript: a plain file input, sent with the form. With it:
// each photo is uploaded on its own, one after the other, with a progress bar, a thumbnail, and
// its own message, retry and remove buttons; the report then refers to the uploaded ids.
import { useEffect } from 'preact/hooks';
import { describedBy, FieldError, fieldClass } from './form-parts.tsx';
import { HiddenFileInput, PhotoList, usePhotoUploads, type PhotoItem } from './PhotoUploads.tsx';
import type { FormErrors, UploadedPhoto } from './report-form-model.ts';

interface Props {
  items: PhotoItem[];
  setItems: (update: (items: PhotoItem[]) => PhotoItem[]) => void;
  /** Photos uploaded by an earlier plain POST, kept in hidden fields. */
  kept: UploadedPhoto[];
  enhanced: boolean;
  errors: FormErrors;
  /** The plain file input (no JavaScript yet). */
  noJsInputRef: { current: HTMLInputElement | null };
  /** Files chosen in it before the island took over: uploaded once the form is enhanced. */
  earlyFiles: readonly File[];
  maxPhotos: number;
}

export function PhotoField({ items, setItems, kept, enhanced, errors, noJsInputRef, earlyFiles, maxPhotos }: Props) {
  const uploads = usePhotoUploads({ items, setItems, maxPhotos, purpose: 'report' });

  // Files picked in the plain input before hydration are not lost.
  useEffect(() => {
    if (enhanced && earlyFiles.length > 0) uploads.addFiles(earlyFiles);
  }, [enhanced, earlyFiles]);

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
        <PhotoList items={items} onRemove={uploads.remove} onRetry={uploads.retry} />
        <HiddenFileInput inputRef={uploads.inputRef} onFiles={uploads.addFiles} />
        <button
          type="button"
          id="photos"
          ref={uploads.addRef}
          onClick={() => uploads.inputRef.current?.click()}
          disabled={uploads.remaining <= 0}
          aria-describedby={describedBy('photos', errors, 'photos-hint', 'photos-remaining')}
        >
          ＋ 添加照片
        </button>
        <p class="hint" id="photos-remaining" style={{ marginTop: '0.4rem' }}>
          {uploads.remaining > 0 ? `还可以添加${uploads.remaining}张` : `已达到${maxPhotos}张上限`}
        </p>
        <p class="hint" aria-live="polite">
          {uploads.announcement}
        </p>
      </div>
    </fieldset>
  );
}
