// Removes the run's data directory and content copy (created in playwright.config.ts) at the end of the run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function globalTeardown(): void {
  for (const dir of [process.env['E2E_DATA_DIR'], process.env['E2E_CONTENT_DIR']]) {
    // Only ever a directory this run created under the system temp folder.
    if (dir && path.dirname(dir) === os.tmpdir() && path.basename(dir).startsWith('chuangcheng-e2e-')) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
