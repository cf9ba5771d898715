// The first start on the embedded default makes the data key (DATA_DIR/keys/data-key.json). A
// deployment's web and worker services start together (deploy/install.sh), so both may find no
// key file and make one: the second must take the first one's key, not write its own over it —
// the first would then encrypt with a key no file holds, and its data be lost at the next start.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { defaultKeyFile, readKeyFile } from '../../server/db/data-key-file.ts';
import { openDataKeys } from '../../server/db/data-key-setup.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../server/db/database.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-first-key-'));
const handles: DatabaseHandle[] = [];
afterAll(async () => {
  for (const h of handles) await h.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function open(): DatabaseHandle {
  const handle = openDatabase(`sqlite:${path.join(dataDir, 'portal.sqlite')}`);
  handles.push(handle);
  return handle;
}

it('two processes starting at once on an empty DATA_DIR end with one key, the first one made', async () => {
  const file = defaultKeyFile(dataDir);
  const web = open();
  await migrateToLatest(web);
  const worker = open();
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);

  // Both look for the file before either has written it: each one's two checks (at start, and
  // just before writing) find nothing, as when two processes run side by side.
  const realExists = fs.existsSync;
  let checks = 0;
  const spy = vi.spyOn(fs, 'existsSync').mockImplementation((p) => (p === file && checks++ < 4 ? false : realExists(p)));
  const [first, second] = await Promise.all([
    openDataKeys(web, { dataDir, log: { warn } }),
    openDataKeys(worker, { dataDir, log: { warn } }),
  ]);
  spy.mockRestore();

  expect(second.activeId).toBe(first.activeId);
  expect(readKeyFile(file).map((k) => k.id)).toEqual([first.activeId]);
  expect(warnings).toHaveLength(1);
  expect(checks).toBe(5); // the second one looked again when its write found the file
  expect(fs.readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
  // A restart reads the one key, the one the database recorded.
  expect((await openDataKeys(open(), { dataDir })).activeId).toBe(first.activeId);
});
