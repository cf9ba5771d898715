// The office's entry of a finding by the media (媒体暗访), a county leader (县级领导督导) or an
// NPC/CPPCC inspection (人大政协视察): what, where, category, photos (the report form's uploader),
// the source, the unit if known (the router decides otherwise), and for a media finding an
// exposure-notice draft made with it. Sent to `patrol.findings.enter`; the answer links to the
// ticket and the draft.
import { useState } from 'preact/hooks';
import { api, outcomeOf } from '../../lib/api-client.ts';
import { HiddenFileInput, PhotoList, usePhotoUploads, type PhotoItem } from '../report/PhotoUploads.tsx';

interface Option {
  value: string;
  label: string;
}

interface Props {
  sources: Option[];
  categories: Option[];
  units: Option[];
  points: Option[];
  idempotencyKey: string;
}

type Outcome = { trackingCode: string; unitName: string | null; noticeId: number | null };

function FieldMessage({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p class="field-error" id={`${id}-error`}>
      {message}
    </p>
  ) : null;
}

export default function FindingForm({ sources, categories, units, points, idempotencyKey }: Props) {
  const [v, setV] = useState({
    source: 'media',
    description: '',
    categoryCode: '',
    unitCode: '',
    pointId: '',
    address: '',
    exposureDraft: false,
  });
  const [items, setItems] = useState<PhotoItem[]>([]);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [message, setMessage] = useState('');
  const [done, setDone] = useState<Outcome | null>(null);
  const [key, setKey] = useState(idempotencyKey);
  const uploads = usePhotoUploads({ items, setItems, maxPhotos: 6, purpose: 'report' });
  const set = (patch: Partial<typeof v>) => setV((old) => ({ ...old, ...patch }));
  const cls = (name: string) => (fields[name] ? 'field has-error' : 'field');

  const submit = async (event: Event) => {
    event.preventDefault();
    if (items.some((i) => i.state === 'queued' || i.state === 'uploading')) {
      setMessage('照片还在上传，请等上传完成后再提交。');
      return;
    }
    const outcome = await outcomeOf(
      api.patrol.findings.enter.mutate({
        source: v.source as 'media',
        description: v.description,
        categoryCode: v.categoryCode,
        ...(v.unitCode && { unitCode: v.unitCode }),
        ...(v.pointId && { pointId: v.pointId }),
        ...(v.address.trim() && { address: v.address }),
        photoIds: items.flatMap((i) => (i.photo ? [i.photo.id] : [])),
        exposureDraft: v.source === 'media' && v.exposureDraft,
        idempotencyKey: key,
      }),
    );
    if (outcome.kind === 'ok') {
      setDone({
        trackingCode: outcome.data.ticket.trackingCode,
        unitName: outcome.data.ticket.unit?.name ?? null,
        noticeId: outcome.data.noticeId,
      });
      setV((old) => ({ ...old, description: '', pointId: '', address: '', exposureDraft: false }));
      setItems(() => []);
      setFields({});
      setMessage('');
      setKey(`${idempotencyKey}-${Date.now()}`);
      return;
    }
    setFields(outcome.kind === 'invalid' ? outcome.fields : {});
    setMessage(outcome.message);
  };

  const select = (name: 'source' | 'categoryCode' | 'unitCode' | 'pointId', label: string, options: Option[], any?: string) => (
    <div class={cls(name)}>
      <label for={`f-${name}`}>{label}</label>
      <FieldMessage id={`f-${name}`} message={fields[name]} />
      <select
        id={`f-${name}`}
        value={v[name]}
        onChange={(e) => set({ [name]: e.currentTarget.value })}
        aria-invalid={fields[name] ? true : undefined}
      >
        {any !== undefined && <option value="">{any}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <form class="finding-form" onSubmit={(e) => void submit(e)} noValidate>
      {done && (
        <div class="notice notice-ok" role="status" data-testid="finding-done">
          <p>
            已立单：<a href={`/console/tickets/${done.trackingCode}`}>{done.trackingCode}</a>
            {done.unitName ? `，已交办${done.unitName}` : '，待创城办分派'}。
            {done.noticeId !== null && (
              <>
                {' '}
                已生成曝光稿：<a href={`/console/notices/${done.noticeId}`}>打开曝光稿</a>
              </>
            )}
          </p>
        </div>
      )}
      {message && (
        <div class="notice notice-error" role="alert">
          <p>{message}</p>
        </div>
      )}
      {select('source', '问题来源', sources)}
      <div class={cls('description')}>
        <label for="f-description">发现的问题</label>
        <FieldMessage id="f-description" message={fields['description']} />
        <textarea
          id="f-description"
          rows={4}
          maxLength={2000}
          value={v.description}
          onInput={(e) => set({ description: e.currentTarget.value })}
        />
      </div>
      {select('categoryCode', '问题类别', categories, '请选择')}
      {select('unitCode', '责任单位（知道时选择，不选由系统按规则分派）', units, '由系统分派')}
      {select('pointId', '测评点位（选填）', points, '不选择点位')}
      <div class={cls('address')}>
        <label for="f-address">地址（选填）</label>
        <FieldMessage id="f-address" message={fields['address']} />
        <input id="f-address" type="text" maxLength={200} value={v.address} onInput={(e) => set({ address: e.currentTarget.value })} />
      </div>
      <fieldset class="section">
        <legend>照片（选填，最多6张）</legend>
        <FieldMessage id="photos" message={fields['photoIds']} />
        <PhotoList items={items} onRemove={uploads.remove} onRetry={uploads.retry} />
        <HiddenFileInput inputRef={uploads.inputRef} onFiles={uploads.addFiles} />
        <button type="button" ref={uploads.addRef} onClick={() => uploads.inputRef.current?.click()} disabled={uploads.remaining <= 0}>
          ＋ 添加照片
        </button>
        <p class="hint" aria-live="polite">
          {uploads.announcement}
        </p>
      </fieldset>
      {v.source === 'media' && (
        <div class={cls('exposureDraft')}>
          <FieldMessage id="f-exposureDraft" message={fields['exposureDraft']} />
          <label class="checkbox">
            <input type="checkbox" checked={v.exposureDraft} onChange={(e) => set({ exposureDraft: e.currentTarget.checked })} />
            <span>同时生成曝光稿（需选定责任单位）</span>
          </label>
        </div>
      )}
      <button type="submit" class="button-primary">
        立单
      </button>
    </form>
  );
}
