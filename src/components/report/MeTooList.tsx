// "我也遇到了" (issue 15 item 4): once the resident has picked a category and a point or given their
// position, the open problems of that category nearby — category, point, date, status, photos,
// never a description — each with "我也遇到了". Joining adds the resident's report to that ticket
// and opens its tracking page; the resident may instead go on with a new report. Needs
// JavaScript; without it the form submits a new report as always.
import { useEffect, useRef, useState } from 'preact/hooks';
import { fetchNearby, joinProblem, type NearbyProblem } from './report-api.ts';

const DELAY_MS = 300;

interface Props {
  category: string;
  pointId: string;
  lat: string;
  lng: string;
  /** The phone and name the resident typed in the form, if any (not when anonymous). */
  phone: string;
  name: string;
  idempotencyKey: string;
}

const day = (iso: string) =>
  new Date(iso).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' });

export function MeTooList({ category, pointId, lat, lng, phone, name, idempotencyKey }: Props) {
  const [problems, setProblems] = useState<NearbyProblem[]>([]);
  const [dismissed, setDismissed] = useState('');
  const [chosen, setChosen] = useState<number | null>(null);
  const [joinPhone, setJoinPhone] = useState('');
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const where = { category, ...(pointId && { pointId }), ...(lat && lng && { lat: Number(lat), lng: Number(lng) }) };
  const whereKey = JSON.stringify(where);

  useEffect(() => {
    setChosen(null);
    if (!category || (!pointId && !(lat && lng))) {
      setProblems([]);
      return undefined;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      // A help, not a step: when the call fails the resident simply does not see the list.
      fetchNearby(where, controller.signal)
        .then(setProblems)
        .catch(() => undefined);
    }, DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [whereKey]);

  useEffect(() => {
    if (chosen !== null) confirmRef.current?.focus();
  }, [chosen]);

  if (problems.length === 0 || dismissed === whereKey) return null;

  const choose = (ref: number) => {
    setChosen(ref);
    setJoinPhone(phone);
    setMessage('');
  };

  const join = async (problem: number) => {
    if (busy) return;
    setBusy(true);
    setMessage('正在提交，请稍候…');
    const answer = await joinProblem({
      ...where,
      problem,
      ...(joinPhone.trim() && { phone: joinPhone }),
      ...(name.trim() && { name }),
      idempotencyKey: `${idempotencyKey}:${problem}`,
    });
    if ('trackingCode' in answer) {
      window.location.assign(`/track?code=${encodeURIComponent(answer.trackingCode)}&new=1&joined=1`);
      return;
    }
    setBusy(false);
    setMessage(answer.message);
  };

  return (
    <section class="me-too" aria-labelledby="me-too-title">
      <h2 id="me-too-title">附近已有人反映了同类问题</h2>
      <p>如果和您看到的是同一个问题，点“我也遇到了”就可以，不用重新填写。问题描述不公开显示。</p>
      <ul class="me-too-list">
        {problems.map((p) => (
          <li key={p.ref} class="me-too-item">
            <p>
              <strong>{p.category || '问题'}</strong>
              {p.pointName ? `，${p.pointName}` : ''}
              {p.distanceMetres ? `（相距约${p.distanceMetres}米）` : ''}
            </p>
            <p class="hint">
              {day(p.reportedAt)}反映，{p.statusLabel}，{p.reportCount}人反映
            </p>
            {p.photos.length > 0 ? (
              <p class="me-too-photos">
                {p.photos.map((photo) => (
                  <img key={photo.thumbUrl} src={photo.thumbUrl} alt="现场照片" width={96} height={72} loading="lazy" />
                ))}
              </p>
            ) : null}
            {chosen === p.ref ? (
              <div class="suggestion">
                <p>确认是同一个问题？您的反映会加到这条反映上，您会得到它的查询码。</p>
                <label for={`me-too-phone-${p.ref}`}>手机号码（选填，用于告知办理结果、凭手机号查询）</label>
                <input
                  type="tel"
                  id={`me-too-phone-${p.ref}`}
                  autocomplete="tel"
                  inputMode="tel"
                  value={joinPhone}
                  onInput={(e) => setJoinPhone(e.currentTarget.value)}
                />
                <p role="status" class={message && !busy ? 'field-error' : 'hint'}>
                  {message}
                </p>
                <p>
                  <button type="button" class="button button-primary" ref={confirmRef} disabled={busy} onClick={() => void join(p.ref)}>
                    确认，我也遇到了
                  </button>{' '}
                  <button type="button" class="button-small" onClick={() => setChosen(null)}>
                    取消
                  </button>
                </p>
              </div>
            ) : (
              <button type="button" class="button" onClick={() => choose(p.ref)}>
                我也遇到了
              </button>
            )}
          </li>
        ))}
      </ul>
      <button type="button" class="button-small" onClick={() => setDismissed(whereKey)}>
        不是同一个问题，继续提交新反映
      </button>
    </section>
  );
}
