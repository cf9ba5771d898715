// Where the problem is: an address in words, the browser's position, or a known point.
// Any one of them helps; none is required.
import { useMemo, useState } from 'preact/hooks';
import { describedBy, FieldError, fieldClass, invalid } from './form-parts.tsx';
import type { FormErrors, PublicPoint, ReportFormValues } from './report-form-model.ts';

/** Above this many points a filter box helps to find one. */
const FILTER_FROM = 8;

type LocationValues = Pick<ReportFormValues, 'address' | 'lat' | 'lng' | 'accuracy' | 'pointId'>;

interface Props {
  points: PublicPoint[];
  values: LocationValues;
  onChange: (patch: Partial<LocationValues>) => void;
  enhanced: boolean;
  errors: FormErrors;
}

type GeoState = { kind: 'idle' | 'locating' | 'ok' | 'error'; message: string };

function geolocationError(code: number): string {
  switch (code) {
    case 1:
      return '您没有允许本网页获取位置。如需使用，请在浏览器或手机设置中允许定位；也可以直接填写地址。';
    case 3:
      return '获取位置超时。请再试一次，或者直接填写地址。';
    default:
      return '暂时无法确定您的位置（可能没有打开定位服务，或者信号较弱）。请直接填写地址，或稍后再试。';
  }
}

export function LocationField({ points, values, onChange, enhanced, errors }: Props) {
  const [geo, setGeo] = useState<GeoState>(() =>
    values.lat && values.lng ? { kind: 'ok', message: '已获取您的位置，提交时会一并发送。' } : { kind: 'idle', message: '' },
  );
  const [filter, setFilter] = useState('');

  const locate = () => {
    if (!('geolocation' in navigator)) {
      setGeo({ kind: 'error', message: '您的浏览器不支持定位。请直接填写地址，或从下面的点位中选择。' });
      return;
    }
    if (!window.isSecureContext) {
      setGeo({ kind: 'error', message: '当前网页无法使用定位。请直接填写地址，或从下面的点位中选择。' });
      return;
    }
    setGeo({ kind: 'locating', message: '正在获取您的位置，请稍候…（手机可能会询问是否允许）' });
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const { latitude, longitude, accuracy } = position.coords;
        onChange({ lat: latitude.toFixed(6), lng: longitude.toFixed(6), accuracy: String(Math.round(accuracy)) });
        setGeo({ kind: 'ok', message: `已获取您的位置（误差约${Math.round(accuracy)}米），提交时会一并发送。` });
      },
      (error) => setGeo({ kind: 'error', message: geolocationError(error.code) }),
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 60_000 },
    );
  };

  const clearPosition = () => {
    onChange({ lat: '', lng: '', accuracy: '' });
    setGeo({ kind: 'idle', message: '已清除位置。' });
  };

  const groups = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const byType = new Map<string, PublicPoint[]>();
    for (const p of points) {
      const matches = !needle || p.id === values.pointId || `${p.name}${p.address}${p.typeName}`.toLowerCase().includes(needle);
      if (!matches) continue;
      const list = byType.get(p.typeName) ?? [];
      list.push(p);
      byType.set(p.typeName, list);
    }
    return [...byType.entries()];
  }, [points, filter, values.pointId]);
  const shown = groups.reduce((n, [, list]) => n + list.length, 0);
  const chosen = points.find((p) => p.id === values.pointId);

  return (
    <fieldset class="section">
      <legend>问题在哪里</legend>
      <p class="hint">以下三种方式任选一种或几种，能帮工作人员尽快找到地方。</p>

      <div class={fieldClass('address', errors)}>
        <label for="address">
          地址或位置描述 <span class="optional">（选填）</span>
        </label>
        <p class="hint" id="address-hint">
          例如：临城镇东街与建设路交叉口北侧
        </p>
        <FieldError id="address" errors={errors} />
        <input
          type="text"
          id="address"
          name="address"
          autocomplete="street-address"
          value={values.address}
          onInput={(e) => onChange({ address: e.currentTarget.value })}
          aria-describedby={describedBy('address', errors, 'address-hint')}
          aria-invalid={invalid('address', errors)}
        />
      </div>

      <input type="hidden" name="lat" value={values.lat} />
      <input type="hidden" name="lng" value={values.lng} />
      <input type="hidden" name="accuracy" value={values.accuracy} />
      {enhanced ? (
        <div class={fieldClass('location', errors)}>
          <FieldError id="location" errors={errors} />
          <button
            type="button"
            id="location"
            onClick={locate}
            disabled={geo.kind === 'locating'}
            aria-describedby={describedBy('location', errors)}
          >
            使用我的位置
          </button>
          {geo.kind === 'ok' ? (
            <button type="button" class="button-small" style={{ marginLeft: '0.5rem' }} onClick={clearPosition}>
              清除位置
            </button>
          ) : null}
          <p class={geo.kind === 'error' ? 'location-status field-error' : 'location-status'} role="status">
            {geo.message}
          </p>
        </div>
      ) : null}

      {points.length > 0 ? (
        <div class={fieldClass('pointId', errors)}>
          <label for="pointId">
            选择附近的点位 <span class="optional">（选填）</span>
          </label>
          <p class="hint" id="pointId-hint">
            市场、小区、路口、公益广告牌等创城测评点位。
          </p>
          <FieldError id="pointId" errors={errors} />
          {enhanced && points.length > FILTER_FROM ? (
            <div class="field" style={{ marginBottom: '0.5rem' }}>
              <label for="point-filter" class="optional">
                输入名称查找点位
              </label>
              <input
                type="search"
                id="point-filter"
                value={filter}
                onInput={(e) => setFilter(e.currentTarget.value)}
                aria-describedby="point-filter-count"
              />
              <p class="hint" id="point-filter-count" aria-live="polite">
                {filter.trim() ? `找到${shown}个点位` : ''}
              </p>
            </div>
          ) : null}
          <select
            id="pointId"
            name="pointId"
            value={values.pointId}
            onChange={(e) => onChange({ pointId: e.currentTarget.value })}
            aria-describedby={describedBy('pointId', errors, 'pointId-hint', chosen ? 'pointId-chosen' : undefined)}
            aria-invalid={invalid('pointId', errors)}
          >
            <option value="">不选择点位</option>
            {groups.map(([typeName, list]) => (
              <optgroup key={typeName} label={typeName}>
                {list.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.address ? `${p.name}（${p.address}）` : p.name}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
          {chosen ? (
            <p class="hint" id="pointId-chosen">
              已选择点位：{chosen.name}
              {chosen.address ? `（${chosen.address}）` : ''}
            </p>
          ) : null}
        </div>
      ) : null}
    </fieldset>
  );
}
