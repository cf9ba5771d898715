// `npm run bench -- mail`: messages/s through the mailbox pipeline (mail:import's core: parse,
// classify, dedupe, ticket or reply, raw kept, on SQLite in a fresh DATA_DIR) beside bare
// mailparser `simpleParser` on the same files. Target ratio ≥ 0.5 (issue 4).
//   npm run bench -- mail [--files DIR] [--rounds N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { createPortal } from '../server/app.ts';
import { importMailFiles } from '../server/intake/mail/mail-import.ts';

export async function benchMail(options: { files?: string | undefined; rounds: number }): Promise<void> {
  const root = path.resolve(import.meta.dirname, '..');
  const dir = options.files ?? path.resolve(root, 'tests/fixtures/mail-corpus/eml');
  const files = fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !/^(LICENSE|SOURCE\.txt)/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
  const raws = files.map((f) => fs.readFileSync(f));
  const megabytes = raws.reduce((n, r) => n + r.length, 0) / 1024 / 1024;

  let parsed = 0;
  const parseStart = performance.now();
  for (let round = 0; round < options.rounds; round++) {
    for (const raw of raws) {
      await simpleParser(raw).catch(() => null);
      parsed++;
    }
  }
  const parseSeconds = (performance.now() - parseStart) / 1000;

  // The pipeline remembers what it has seen: each round gets a fresh portal, so every message is
  // processed in full (a second round on the same data would only find duplicates).
  let processed = 0;
  let pipelineSeconds = 0;
  for (let round = 0; round < options.rounds; round++) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bench-mail-'));
    const portal = await createPortal({
      databaseUrl: `sqlite:${path.join(dataDir, 'portal.sqlite')}`,
      dataDir,
      contentDir: path.join(root, 'content'),
    });
    try {
      const start = performance.now();
      processed += (await importMailFiles(portal.services.mail, files)).length;
      pipelineSeconds += (performance.now() - start) / 1000;
    } finally {
      await portal.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }

  const pipelineRate = processed / pipelineSeconds;
  const parseRate = parsed / parseSeconds;
  console.log(`\n${files.length} files (${megabytes.toFixed(1)} MB), ${options.rounds} round(s), Node ${process.version}\n`);
  console.log('| path | messages/s |');
  console.log('| --- | --- |');
  console.log(`| mail:import pipeline (parse, classify, dedupe, ticket/reply, raw kept; SQLite) | ${pipelineRate.toFixed(0)} |`);
  console.log(`| bare simpleParser | ${parseRate.toFixed(0)} |`);
  console.log(`\nratio pipeline/simpleParser: ${(pipelineRate / parseRate).toFixed(2)} (target ≥ 0.5)`);
}
