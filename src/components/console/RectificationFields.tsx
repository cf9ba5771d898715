// The 反馈整改结果 part: what was done, the photos after (uploaded one by one), or — only when
// there can be none — why there is no photo.
import type { PhotoItem } from '../report/PhotoUploads.tsx';
import type { Errors, Values } from './action-forms.ts';
import { TextArea } from './form-fields.tsx';
import { RectificationPhotos } from './RectificationPhotos.tsx';

interface Props {
  values: Values;
  errors: Errors;
  set: (field: string, value: string) => void;
  clearError: (field: string) => void;
  photos: PhotoItem[];
  setPhotos: (update: (items: PhotoItem[]) => PhotoItem[]) => void;
  maxPhotos: number;
  id: (field: string) => string;
}

export function RectificationFields({ values, errors, set, clearError, photos, setPhotos, maxPhotos, id }: Props) {
  return (
    <>
      <TextArea
        id={id('text')}
        label="整改情况"
        hint="写明做了什么、何时完成、现场现在的情况，至少5个字。"
        value={values['text'] ?? ''}
        onInput={(v) => set('text', v)}
        error={errors['text']}
        rows={5}
      />
      <RectificationPhotos id={id('photoIds')} items={photos} setItems={setPhotos} maxPhotos={maxPhotos} error={errors['photoIds']} />
      {photos.length === 0 ? (
        <div class="field no-photo">
          <label class="checkbox" for={id('noPhoto')}>
            <input
              type="checkbox"
              id={id('noPhoto')}
              checked={values['noPhoto'] === 'yes'}
              onChange={(e) => {
                set('noPhoto', e.currentTarget.checked ? 'yes' : '');
                // Saying why there is no photo answers "add a photo".
                clearError('photoIds');
              }}
            />
            <span>确实拍不了整改后照片</span>
          </label>
          {values['noPhoto'] === 'yes' ? (
            <TextArea
              id={id('noPhotoReason')}
              label="拍不了照片的原因"
              hint="创城办核验时会看到这个原因。例如：问题只在夜间出现，白天拍不到；现场是不允许拍照的场所。"
              value={values['noPhotoReason'] ?? ''}
              onInput={(v) => set('noPhotoReason', v)}
              error={errors['noPhotoReason']}
              rows={3}
            />
          ) : null}
        </div>
      ) : null}
    </>
  );
}
