// The report form's values and how they become the raw input of report.submit. Shared by the
// no-JS handler in src/pages/report.astro and the ReportForm island, so both paths send the same
// shape and map the server's field messages to the same places on the page.

/** Category fields a resident may see (the island receives nothing else). */
export interface PublicCategory {
  code: string;
  name: string;
  parentCode: string | null;
  hint: string;
}

/** Point fields a resident may see: never the grid's responsible person. */
export interface PublicPoint {
  id: string;
  name: string;
  typeName: string;
  address: string;
}

/** A photo already uploaded and kept across a re-rendered form. */
export interface UploadedPhoto {
  id: string;
  url: string;
  thumbUrl: string;
}

/** The schema's limits, passed from the page so the island's first script does not load zod. */
export interface ReportLimits {
  maxPhotos: number;
  minDescriptionChars: number;
  maxDescriptionChars: number;
}

export interface ReportFormValues {
  description: string;
  category: string;
  pointId: string;
  address: string;
  lat: string;
  lng: string;
  accuracy: string;
  name: string;
  phone: string;
  email: string;
  anonymous: boolean;
  photos: UploadedPhoto[];
  idempotencyKey: string;
}

export function emptyValues(idempotencyKey: string): ReportFormValues {
  return {
    description: '',
    category: '',
    pointId: '',
    address: '',
    lat: '',
    lng: '',
    accuracy: '',
    name: '',
    phone: '',
    email: '',
    anonymous: false,
    photos: [],
    idempotencyKey,
  };
}

const PHOTO_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Photo renditions are served at fixed paths (server/media). */
export function photoFromId(id: string): UploadedPhoto | null {
  return PHOTO_ID.test(id) ? { id, url: `/media/${id}.webp`, thumbUrl: `/media/${id}.thumb.webp` } : null;
}

/** Reads the plain-POST form (file fields excepted: the page uploads them itself). */
export function valuesFromFormData(form: FormData, fallbackKey: string): ReportFormValues {
  const text = (name: string, max = 4000) => {
    const value = form.get(name);
    return typeof value === 'string' ? value.slice(0, max) : '';
  };
  const key = text('idempotencyKey', 100);
  const photos: UploadedPhoto[] = [];
  for (const value of form.getAll('photoIds')) {
    const photo = typeof value === 'string' ? photoFromId(value) : null;
    if (photo && !photos.some((p) => p.id === photo.id)) photos.push(photo);
  }
  return {
    description: text('description'),
    category: text('category', 100),
    pointId: text('pointId', 100),
    address: text('address', 400),
    lat: text('lat', 40),
    lng: text('lng', 40),
    accuracy: text('accuracy', 40),
    name: text('name', 200),
    phone: text('phone', 100),
    email: text('email', 400),
    anonymous: form.get('anonymous') !== null,
    photos,
    idempotencyKey: key.length >= 8 ? key : fallbackKey,
  };
}

function coordinate(value: string): number | string | undefined {
  if (value.trim() === '') return undefined;
  const n = Number(value);
  // A non-number goes through as text so the schema reports it in Chinese.
  return Number.isFinite(n) ? n : value;
}

/** The raw input of report.submit: empty fields left out, contact data dropped when anonymous. */
export function toRawInput(values: ReportFormValues): Record<string, unknown> {
  const raw: Record<string, unknown> = { description: values.description };
  if (values.category) raw['category'] = values.category;
  if (values.pointId) raw['pointId'] = values.pointId;

  const location: Record<string, unknown> = {};
  if (values.address.trim()) location['address'] = values.address;
  const lat = coordinate(values.lat);
  const lng = coordinate(values.lng);
  const accuracy = coordinate(values.accuracy);
  if (lat !== undefined && lng !== undefined) {
    location['lat'] = lat;
    location['lng'] = lng;
    if (accuracy !== undefined) location['accuracy'] = accuracy;
  }
  if (Object.keys(location).length > 0) raw['location'] = location;

  if (values.anonymous) {
    raw['anonymous'] = true;
  } else {
    const reporter: Record<string, unknown> = {};
    if (values.name.trim()) reporter['name'] = values.name;
    if (values.phone.trim()) reporter['phone'] = values.phone;
    if (values.email.trim()) reporter['email'] = values.email;
    if (Object.keys(reporter).length > 0) raw['reporter'] = reporter;
  }

  if (values.photos.length > 0) raw['photoIds'] = values.photos.map((p) => p.id);
  if (values.idempotencyKey) raw['idempotencyKey'] = values.idempotencyKey;
  return raw;
}

/** The form controls that can carry an error, in page order, with the label used in the summary. */
export const FIELDS = [
  { id: 'description', label: '问题描述' },
  { id: 'category', label: '问题类别' },
  { id: 'address', label: '地址' },
  { id: 'location', label: '我的位置' },
  { id: 'pointId', label: '点位' },
  { id: 'photos', label: '照片' },
  { id: 'name', label: '姓名' },
  { id: 'phone', label: '电话' },
  { id: 'email', label: '电子邮箱' },
] as const;

export type FieldId = (typeof FIELDS)[number]['id'] | 'form';

/** Maps an error path of the schema ("reporter.phone", "photoIds.2") to the form control. */
export function fieldIdForPath(path: string): FieldId {
  const [head, sub] = path.split('.');
  switch (head) {
    case 'description':
    case 'category':
    case 'pointId':
      return head;
    case 'location':
      return sub === 'address' ? 'address' : 'location';
    case 'reporter':
      return sub === 'name' || sub === 'phone' || sub === 'email' ? sub : 'name';
    case 'photoIds':
    case 'photos':
    case 'file':
      return 'photos';
    default:
      return 'form';
  }
}

export type FormErrors = Partial<Record<FieldId, string>>;

/** Server or schema field messages → one message per form control, first one wins. */
export function formErrorsFromFields(fields: Record<string, string>): FormErrors {
  const out: FormErrors = {};
  for (const [path, message] of Object.entries(fields)) {
    const id = fieldIdForPath(path);
    if (!(id in out)) out[id] = message;
  }
  return out;
}

/** The summary's entries in page order, each linking to its control. */
export function errorSummary(errors: FormErrors): { id: string; label: string; message: string }[] {
  const entries: { id: string; label: string; message: string }[] = [];
  for (const field of FIELDS) {
    const message = errors[field.id];
    if (message) entries.push({ id: field.id, label: field.label, message });
  }
  return entries;
}

/** Top-level categories with their sub-categories, in catalog order, for a grouped select. */
export function groupCategories(categories: readonly PublicCategory[]): { top: PublicCategory; children: PublicCategory[] }[] {
  const groups = categories
    .filter((c) => c.parentCode === null)
    .map((top) => ({ top, children: categories.filter((c) => c.parentCode === top.code) }));
  // A sub-category whose parent is missing still gets a place rather than vanishing.
  const known = new Set(groups.flatMap((g) => [g.top.code, ...g.children.map((c) => c.code)]));
  for (const orphan of categories.filter((c) => !known.has(c.code))) groups.push({ top: orphan, children: [] });
  return groups;
}
