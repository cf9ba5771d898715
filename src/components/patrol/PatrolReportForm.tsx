// The patrol member's report on a phone (360 px, large targets): what, where — the report form's own
// location part (address, the phone's position, a point) — and photos through the report form's
// uploader. The member's name is the account's, never typed. Sent to `patrol.report`; on success the
// page reloads with the tracking code, so the member sees the report in their own list.
import { useState } from 'preact/hooks';
import { api, outcomeOf } from '../../lib/api-client.ts';
import { LocationField } from '../report/LocationField.tsx';
import { HiddenFileInput, PhotoList, usePhotoUploads, type PhotoItem } from '../report/PhotoUploads.tsx';
import { describedBy, FieldError, fieldClass, invalid } from '../report/form-parts.tsx';
import { formErrorsFromFields, type FormErrors, type PublicPoint } from '../report/report-form-model.ts';

const MAX_PHOTOS = 6;

interface Props {
  points: PublicPoint[];
  /** The device's key for this report: sent twice, recorded once. */
  idempotencyKey: string;
}

export default function PatrolReportForm({ points, idempotencyKey }: Props) {
  const [description, setDescription] = useState('');
  const [where, setWhere] = useState({ address: '', lat: '', lng: '', accuracy: '', pointId: '' });
  const [items, setItems] = useState<PhotoItem[]>([]);
  const [errors, setErrors] = useState<FormErrors>({});
  const [message, setMessage] = useState('');
  const [sending, setSending] = useState(false);
  const uploads = usePhotoUploads({ items, setItems, maxPhotos: MAX_PHOTOS, purpose: 'report' });

  const submit = async (event: Event) => {
    event.preventDefault();
    if (items.some((i) => i.state === 'queued' || i.state === 'uploading')) {
      setMessage('照片还在上传，请等上传完成后再提交。');
      return;
    }
    setSending(true);
    setMessage('');
    const location = {
      ...(where.address.trim() && { address: where.address }),
      ...(where.lat && where.lng && { lat: Number(where.lat), lng: Number(where.lng) }),
      ...(where.accuracy && { accuracy: Number(where.accuracy) }),
    };
    const outcome = await outcomeOf(
      api.patrol.report.mutate({
        description,
        ...(where.pointId && { pointId: where.pointId }),
        ...(Object.keys(location).length > 0 && { location }),
        photoIds: items.flatMap((i) => (i.photo ? [i.photo.id] : [])),
        idempotencyKey,
      }),
    );
    setSending(false);
    if (outcome.kind === 'ok') {
      window.location.assign(`/console/patrol?reported=${encodeURIComponent(outcome.data.trackingCode)}`);
      return;
    }
    setErrors(outcome.kind === 'invalid' ? formErrorsFromFields(outcome.fields) : {});
    setMessage(outcome.message);
  };

  return (
    <form class="patrol-form" onSubmit={(e) => void submit(e)} noValidate>
      {message ? (
        <div class="notice notice-error" role="alert">
          <p>{message}</p>
        </div>
      ) : null}
      <div class={fieldClass('description', errors)}>
        <label for="description">看到了什么问题</label>
        <p class="hint" id="description-hint">
          例如：东街菜市场门口垃圾堆积，已有两三天。
        </p>
        <FieldError id="description" errors={errors} />
        <textarea
          id="description"
          name="description"
          rows={4}
          maxLength={2000}
          value={description}
          onInput={(e) => setDescription(e.currentTarget.value)}
          aria-describedby={describedBy('description', errors, 'description-hint')}
          aria-invalid={invalid('description', errors)}
        />
      </div>
      <LocationField points={points} values={where} onChange={(patch) => setWhere((w) => ({ ...w, ...patch }))} enhanced errors={errors} />
      <fieldset class="section">
        <legend>
          照片 <span class="optional">（选填，最多{MAX_PHOTOS}张）</span>
        </legend>
        <div class={fieldClass('photos', errors)}>
          <FieldError id="photos" errors={errors} />
          <PhotoList items={items} onRemove={uploads.remove} onRetry={uploads.retry} />
          <HiddenFileInput inputRef={uploads.inputRef} onFiles={uploads.addFiles} />
          <button
            type="button"
            id="photos"
            class="button-large"
            ref={uploads.addRef}
            onClick={() => uploads.inputRef.current?.click()}
            disabled={uploads.remaining <= 0}
            aria-describedby={describedBy('photos', errors)}
          >
            ＋ 拍照或选择照片
          </button>
          <p class="hint" aria-live="polite">
            {uploads.announcement}
          </p>
        </div>
      </fieldset>
      <button type="submit" class="button-primary button-large" disabled={sending}>
        {sending ? '正在提交…' : '提交反映'}
      </button>
    </form>
  );
}
