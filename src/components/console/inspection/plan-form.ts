// The office's plan form (/console/inspection) read into the inspection service's plan input, and
// what it showed, to show it again when the plan is refused. The service checks everything
// (server/inspection/round-schema.ts); this only turns form fields into values.
import { chinaDate, DAY_MS } from '../../../../server/china-time.ts';

export interface PlanForm {
  name: string;
  startsOn: string;
  endsOn: string;
  typeCodes: string[];
  areas: Array<'urban' | 'village'>;
  pointIds: string[];
  inspectorIds: number[];
  recheck: boolean;
}

/** An empty form: this week's working days, from today (China dates). */
export function emptyPlanForm(now: Date): PlanForm {
  return {
    name: '',
    startsOn: chinaDate(now),
    endsOn: chinaDate(new Date(now.getTime() + 4 * DAY_MS)),
    typeCodes: [],
    areas: [],
    pointIds: [],
    inspectorIds: [],
    recheck: false,
  };
}

export function planFromForm(form: FormData): PlanForm {
  const text = (name: string, max: number) => String(form.get(name) ?? '').slice(0, max);
  const list = (name: string) => [...new Set(form.getAll(name).map((v) => String(v).slice(0, 60)))].slice(0, 300);
  return {
    name: text('name', 200),
    startsOn: text('startsOn', 20),
    endsOn: text('endsOn', 20),
    typeCodes: list('typeCodes'),
    // Anything else is refused by the service's schema with its own message.
    areas: list('areas') as PlanForm['areas'],
    pointIds: list('pointIds'),
    inspectorIds: list('inspectorIds')
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0),
    recheck: form.get('recheck') === '1',
  };
}
