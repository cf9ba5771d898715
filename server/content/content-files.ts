// Which of the office's content files the back end reads, their texts from a folder, and the
// hash that names one version of them (sha256 over every file's name and bytes, in name order).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ContentTexts } from '../catalog/load-catalog.ts';
import { CONTENT_FILES } from '../catalog/schema.ts';
import { PERSUASION_KINDS_FILE } from '../patrol/persuasion-kinds.ts';
import { SCORING_FILE } from '../scoring/scoring-rules.ts';

/**
 * The files of a content version: what the catalog, the persuasion kinds and the scoring rules are
 * read from. The public site's own files (ads, site.json) are read by the site build from
 * CONTENT_DIR on the machine that builds it (content/README.md).
 */
export const VERSIONED_FILES: readonly string[] = [...Object.values(CONTENT_FILES), PERSUASION_KINDS_FILE, SCORING_FILE].sort();

/** The versioned files found in `dir`; a missing one is simply absent (the loaders name it). */
export async function readContentFolder(dir: string): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const name of VERSIONED_FILES) {
    try {
      texts.set(name, await readFile(path.join(dir, name), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return texts;
}

/** sha256 (hex) over each file's name, length and bytes, in name order: equal files, equal hash, on every machine. */
export function contentHash(texts: ContentTexts): string {
  const hash = createHash('sha256');
  for (const name of [...texts.keys()].sort()) {
    const bytes = Buffer.from(texts.get(name)!, 'utf8');
    hash.update(`${name}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}
