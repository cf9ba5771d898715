// The resident's report form. Rendered on the server as a plain form that posts to /report and
// works without JavaScript; once hydrated it validates with the shared schema, uploads photos one
// by one, suggests a category and unit as the resident types, and submits as JSON to the API with
// the same idempotency key however often the resident retries.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fieldErrors } from '../../../server/field-errors.ts';
import { CategoryField } from './CategoryField.tsx';
import { describedBy, FieldError, fieldClass, invalid } from './form-parts.tsx';
import { LocationField } from './LocationField.tsx';
import { MeTooList } from './MeTooList.tsx';
import { PhotoField } from './PhotoField.tsx';
import { keptPhotoItem, type PhotoItem } from './PhotoUploads.tsx';
import { submitReport } from './report-api.ts';
import {
  errorSummary,
  formErrorsFromFields,
  toRawInput,
  valuesFromFormData,
  type FormErrors,
  type PublicCategory,
  type PublicPoint,
  type ReportFormValues,
  type ReportLimits,
} from './report-form-model.ts';

// The shared schema (and zod with it) loads after the form is usable, not before: the first
// script of the page stays small. It is fetched when the browser is idle, or at the latest on submit.
const loadSchema = () => import('../../../server/intake/report-schema.ts');

interface Props {
  categories: PublicCategory[];
  points: PublicPoint[];
  initial: ReportFormValues;
  limits: ReportLimits;
  initialErrors?: FormErrors;
  /** A message about the whole form (e.g. the system was busy), shown in the summary. */
  initialMessage?: string;
  /** The privacy notice, static markup from the page. */
  children?: ComponentChildren;
}

const NETWORK_FAILED = '网络连接失败，没有提交成功。您填写的内容都还在，请检查网络后再点“提交反映”。';
const SERVER_FAILED = '系统暂时出了问题，没有提交成功。您填写的内容都还在，请稍后再点“提交反映”。';

export default function ReportForm({ categories, points, initial, limits, initialErrors = {}, initialMessage = '', children }: Props) {
  const [values, setValues] = useState<ReportFormValues>(initial);
  const [photos, setPhotos] = useState<PhotoItem[]>(() => initial.photos.map(keptPhotoItem));
  const [errors, setErrors] = useState<FormErrors>(initialErrors);
  const [formMessage, setFormMessage] = useState(initialMessage);
  const [enhanced, setEnhanced] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [status, setStatus] = useState('');
  const [focusRequest, setFocusRequest] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const noJsPhotoInput = useRef<HTMLInputElement>(null);
  // Photos picked in the plain file input before the island took over (a slow phone): taken from
  // the input before the enhanced form replaces it, then uploaded like any other.
  const [earlyPhotos, setEarlyPhotos] = useState<File[]>([]);

  const set = (patch: Partial<ReportFormValues>) => setValues((v) => ({ ...v, ...patch }));

  useEffect(() => {
    // Whatever was typed before hydration wins over the server-rendered values.
    const form = formRef.current;
    if (form) {
      const typed = valuesFromFormData(new FormData(form), initial.idempotencyKey);
      setValues((v) => ({ ...typed, photos: v.photos, idempotencyKey: v.idempotencyKey }));
    }
    setEarlyPhotos([...(noJsPhotoInput.current?.files ?? [])]);
    setEnhanced(true);
    if (Object.keys(initialErrors).length > 0 || initialMessage) setFocusRequest(1);
    const preload = () => void loadSchema().catch(() => undefined);
    if ('requestIdleCallback' in window) window.requestIdleCallback(preload, { timeout: 3000 });
    else setTimeout(preload, 1000);
  }, []);

  useEffect(() => {
    if (focusRequest > 0) summaryRef.current?.focus();
  }, [focusRequest]);

  const showErrors = (next: FormErrors, message = '') => {
    setErrors(next);
    setFormMessage(message);
    setStatus('');
    setFocusRequest((n) => n + 1);
  };

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    if (submitting) return;
    if (photos.some((p) => p.state === 'queued' || p.state === 'uploading')) {
      showErrors({ photos: '照片还在上传，请等上传完成后再提交。' });
      return;
    }
    if (photos.some((p) => p.state === 'error')) {
      showErrors({ photos: '有照片没有上传成功，请点“重试”或“删除”后再提交。' });
      return;
    }
    const raw = toRawInput({ ...values, photos: photos.flatMap((p) => (p.photo ? [p.photo] : [])) });
    setSubmitting(true);
    setStatus('正在提交，请稍候…');
    let schema: Awaited<ReturnType<typeof loadSchema>>;
    try {
      schema = await loadSchema();
    } catch {
      setSubmitting(false);
      showErrors({}, NETWORK_FAILED);
      return;
    }
    const checked = schema.reportInputSchema.safeParse(raw);
    if (!checked.success) {
      setSubmitting(false);
      showErrors(formErrorsFromFields(fieldErrors(checked.error)));
      return;
    }

    const outcome = await submitReport(raw);
    if (outcome.kind === 'ok') {
      setStatus('提交成功，正在打开查询页面…');
      window.location.assign(`/track?code=${encodeURIComponent(outcome.result.trackingCode)}&new=1`);
      return;
    }
    setSubmitting(false);
    if (outcome.kind === 'invalid') {
      const fields = formErrorsFromFields(outcome.fields);
      showErrors(fields, Object.keys(fields).length > 0 ? '' : outcome.message || SERVER_FAILED);
    } else {
      showErrors({}, outcome.network ? NETWORK_FAILED : outcome.message || SERVER_FAILED);
    }
  };

  const summary = errorSummary(errors);
  const contactHidden = enhanced && values.anonymous;
  const descriptionLength = values.description.trim().length;

  return (
    <form ref={formRef} method="post" action="/report" encType="multipart/form-data" noValidate onSubmit={(e) => void onSubmit(e)}>
      {summary.length > 0 || formMessage || errors.form ? (
        <div class="notice notice-error error-summary" ref={summaryRef} tabIndex={-1} aria-labelledby="error-summary-title">
          <h2 id="error-summary-title">{formMessage || (summary.length > 0 ? '请修改以下内容后再提交：' : errors.form)}</h2>
          {errors.form && (formMessage || summary.length > 0) ? <p>{errors.form}</p> : null}
          {summary.length > 0 ? (
            <ul>
              {summary.map((entry) => (
                <li key={entry.id}>
                  <a
                    href={`#${entry.id}`}
                    onClick={(e) => {
                      const target = document.getElementById(entry.id);
                      if (target) {
                        e.preventDefault();
                        target.focus();
                        target.scrollIntoView({ block: 'center' });
                      }
                    }}
                  >
                    {entry.label}：{entry.message}
                  </a>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}

      <input type="hidden" name="idempotencyKey" value={values.idempotencyKey} />

      <div class={fieldClass('description', errors)}>
        <label for="description">
          问题描述 <span class="optional">（必填）</span>
        </label>
        <p class="hint" id="description-hint">
          请写清楚在哪里、是什么问题、持续多久了，至少{limits.minDescriptionChars}个字。
        </p>
        <FieldError id="description" errors={errors} />
        <textarea
          id="description"
          name="description"
          rows={6}
          value={values.description}
          onInput={(e) => set({ description: e.currentTarget.value })}
          aria-describedby={describedBy('description', errors, 'description-hint', 'description-count')}
          aria-invalid={invalid('description', errors)}
        />
        <p class="char-count" id="description-count">
          已输入{descriptionLength}字，最多{limits.maxDescriptionChars}字
        </p>
      </div>

      <CategoryField
        categories={categories}
        value={values.category}
        onChange={(category) => set({ category })}
        description={values.description}
        pointId={values.pointId}
        enhanced={enhanced}
        errors={errors}
      />

      <LocationField points={points} values={values} onChange={set} enhanced={enhanced} errors={errors} />

      {enhanced ? (
        <MeTooList
          category={values.category}
          pointId={values.pointId}
          lat={values.lat}
          lng={values.lng}
          phone={values.anonymous ? '' : values.phone}
          name={values.anonymous ? '' : values.name}
          idempotencyKey={values.idempotencyKey}
        />
      ) : null}

      <PhotoField
        items={photos}
        setItems={setPhotos}
        kept={initial.photos}
        enhanced={enhanced}
        errors={errors}
        noJsInputRef={noJsPhotoInput}
        earlyFiles={earlyPhotos}
        maxPhotos={limits.maxPhotos}
      />

      <fieldset class="section">
        <legend>
          您的联系方式 <span class="optional">（选填）</span>
        </legend>
        <p class="hint">留下电话，工作人员可以向您核实情况、告诉您办理结果。联系方式只有创城办和责任单位能看到，不会公开。</p>
        <div class="field">
          <label class="checkbox" for="anonymous">
            <input
              type="checkbox"
              id="anonymous"
              name="anonymous"
              value="1"
              checked={values.anonymous}
              onChange={(e) => set({ anonymous: e.currentTarget.checked })}
              aria-describedby="anonymous-hint"
            />
            <span>匿名反映（不留姓名和联系方式）</span>
          </label>
          <p class="hint" id="anonymous-hint">
            {enhanced
              ? '匿名时工作人员无法联系您，您仍可凭查询码查看办理进度。'
              : '匿名时工作人员无法联系您，您仍可凭查询码查看办理进度。勾选匿名后，下面填写的姓名和联系方式不会被提交。'}
          </p>
        </div>
        <div hidden={contactHidden}>
          <ContactInput
            id="name"
            label="姓名或称呼"
            type="text"
            autoComplete="name"
            value={values.name}
            errors={errors}
            onInput={(name) => set({ name })}
          />
          <ContactInput
            id="phone"
            label="手机或电话"
            type="tel"
            autoComplete="tel"
            inputMode="tel"
            hint="例如 13812345678 或 0319-1234567"
            value={values.phone}
            errors={errors}
            onInput={(phone) => set({ phone })}
          />
          <ContactInput
            id="email"
            label="电子邮箱"
            type="email"
            autoComplete="email"
            inputMode="email"
            value={values.email}
            errors={errors}
            onInput={(email) => set({ email })}
          />
        </div>
      </fieldset>

      {children}

      <p role="status" class="hint" aria-live="polite">
        {status}
      </p>
      <button type="submit" class="button button-primary button-large" disabled={submitting}>
        {submitting ? '正在提交…' : '提交反映'}
      </button>
    </form>
  );
}

function ContactInput(props: {
  id: 'name' | 'phone' | 'email';
  label: string;
  type: 'text' | 'tel' | 'email';
  autoComplete: string;
  inputMode?: 'tel' | 'email';
  hint?: string;
  value: string;
  errors: FormErrors;
  onInput: (value: string) => void;
}) {
  const { id, errors } = props;
  const hintId = props.hint ? `${id}-hint` : undefined;
  return (
    <div class={fieldClass(id, errors)}>
      <label for={id}>
        {props.label} <span class="optional">（选填）</span>
      </label>
      {props.hint ? (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      <FieldError id={id} errors={errors} />
      <input
        type={props.type}
        id={id}
        name={id}
        autocomplete={props.autoComplete}
        inputMode={props.inputMode}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        aria-describedby={describedBy(id, errors, hintId)}
        aria-invalid={invalid(id, errors)}
      />
    </div>
  );
}
