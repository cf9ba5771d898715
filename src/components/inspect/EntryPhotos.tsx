// An answer's photos on the inspector's phone: taken with the camera (or chosen from the album),
// kept on the device as they are (the outbox uploads them later, through the report form's
// upload-photo.ts), shown as thumbnails with a remove button each.
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { MAX_ENTRY_PHOTOS, type OutboxPhoto } from './outbox.ts';

interface Props {
  photos: OutboxPhoto[];
  /** What the photos are of, for the buttons' names (e.g. "地面无积存垃圾"). */
  subject: string;
  /** Photos cannot change any more (the entry is being sent or was sent). */
  locked: boolean;
  onChange: (photos: OutboxPhoto[]) => void;
}

let counter = 0;

export function EntryPhotos({ photos, subject, locked, onChange }: Props) {
  const camera = useRef<HTMLInputElement>(null);
  const album = useRef<HTMLInputElement>(null);
  const urls = useMemo(() => photos.map((p) => p.thumbUrl ?? (p.blob ? URL.createObjectURL(p.blob) : null)), [photos]);
  useEffect(() => () => urls.forEach((u) => u?.startsWith('blob:') && URL.revokeObjectURL(u)), [urls]);

  const add = (files: FileList | null) => {
    if (!files) return;
    const room = MAX_ENTRY_PHOTOS - photos.length;
    const added = [...files].slice(0, room).map((file): OutboxPhoto => ({
      key: `${Date.now()}-${counter++}`,
      name: file.name || 'photo.jpg',
      blob: file,
      id: null,
      thumbUrl: null,
    }));
    if (added.length > 0) onChange([...photos, ...added]);
  };
  const input = (ref: typeof camera, capture: boolean) => (
    <input
      type="file"
      ref={ref}
      accept="image/*"
      {...(capture && { capture: 'environment' })}
      hidden
      tabIndex={-1}
      onChange={(e) => {
        add(e.currentTarget.files);
        e.currentTarget.value = '';
      }}
    />
  );

  return (
    <div class="entry-photos">
      {photos.length > 0 ? (
        <ul class="entry-photo-list">
          {photos.map((photo, i) => (
            <li key={photo.key}>
              {urls[i] ? <img src={urls[i]} alt={`第${i + 1}张照片`} width={72} height={72} /> : null}
              <span class="entry-photo-state">{photo.id ? '已上传' : '待上传'}</span>
              {locked ? null : (
                <button
                  type="button"
                  class="button-small"
                  aria-label={`删除第${i + 1}张照片（${subject}）`}
                  onClick={() => onChange(photos.filter((p) => p.key !== photo.key))}
                >
                  删除
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {locked || photos.length >= MAX_ENTRY_PHOTOS ? null : (
        <div class="entry-photo-add">
          {input(camera, true)}
          {input(album, false)}
          <button type="button" aria-label={`拍照：${subject}`} onClick={() => camera.current?.click()}>
            拍照
          </button>
          <button type="button" aria-label={`从相册选照片：${subject}`} onClick={() => album.current?.click()}>
            相册
          </button>
        </div>
      )}
    </div>
  );
}
