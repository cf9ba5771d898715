// The kinds of persuasion (劝导) a patrol member tallies, as content: content/persuasion-kinds.json,
// read and validated at start like the catalog (content/README.md). A mistake stops the start
// with a message naming the file, the entry and the field.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ContentTexts } from '../catalog/load-catalog.ts';

export interface PersuasionKind {
  code: string;
  name: string;
}

export const PERSUASION_KINDS_FILE = 'persuasion-kinds.json';
const FILE = PERSUASION_KINDS_FILE;

const kindsFileSchema = z
  .array(
    z.strictObject({
      code: z
        .string()
        .regex(/^[a-z][a-z0-9-]*$/, { error: 'a code is lower-case letters, digits and "-", starting with a letter' })
        .max(40),
      name: z.string().trim().min(1, { error: 'the name the member reads is missing' }).max(20, { error: 'at most 20 characters' }),
    }),
  )
  .min(1, { error: 'list at least one kind of persuasion' });

function where(data: unknown, at: readonly PropertyKey[]): string {
  const [index, field] = at;
  if (typeof index !== 'number') return 'the file';
  const entry: unknown = Array.isArray(data) ? data[index] : undefined;
  const code = entry && typeof entry === 'object' ? (entry as { code?: unknown }).code : undefined;
  return `entry #${index + 1}${typeof code === 'string' ? ` (code "${code}")` : ''}${field === undefined ? '' : `, field "${String(field)}"`}`;
}

/** The kinds in the file's order (read from the folder, or its stored text); throws an Error naming the file, the entry and the field. */
export async function loadPersuasionKinds(contentDir: string, texts?: ContentTexts): Promise<PersuasionKind[]> {
  const file = path.join(contentDir, FILE);
  let data: unknown;
  try {
    const text = texts ? texts.get(FILE) : await readFile(file, 'utf8');
    if (text === undefined) throw new Error('file not found');
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: cannot read the file: ${(error as Error).message}`, { cause: error });
  }
  const parsed = kindsFileSchema.safeParse(data);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const at = issue?.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : (issue?.path ?? []);
    const message = issue?.code === 'unrecognized_keys' ? `unknown field (misspelt?): ${issue.keys.join(', ')}` : issue?.message;
    throw new Error(`${file}: ${where(data, at)}: ${message ?? 'invalid content'}`);
  }
  const seen = new Set<string>();
  parsed.data.forEach((kind, i) => {
    if (seen.has(kind.code))
      throw new Error(`${file}: entry #${i + 1} (code "${kind.code}"): duplicate code: "${kind.code}" is already used`);
    seen.add(kind.code);
  });
  return parsed.data;
}
