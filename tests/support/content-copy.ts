// A copy of the project's content/ in a temporary folder, for tests that edit the office's files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONTENT_DIR } from './portal.ts';

export function copyContent(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-content-'));
  fs.cpSync(CONTENT_DIR, dir, { recursive: true });
  return dir;
}

/** Rewrites a JSON file through `edit`, which changes the parsed value in place. */
export function editJson(file: string, edit: (value: any) => void): void {
  const value = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(value);
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
}
