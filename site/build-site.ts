// Builds the public site by hand: `npm run build:site -- --snapshot FILE --out DIR`, through the
// portal's own builder (server/publish/site-builder.ts) without its atomic switch: `astro build
// --root site` in a child process, Pagefind over the output, the notices' photos linked from the
// snapshot's media folder, `.br`/`.gz` siblings — then the folder replaces DIR. Without
// --snapshot the site is built from content alone (an empty snapshot: the initial site `npm run
// build` makes); without --out it goes to dist/public. --no-search skips Pagefind.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { emptySnapshot } from '../server/publish/public-snapshot.ts';
import { buildSite } from '../server/publish/site-builder.ts';
import { loadSnapshotFile } from './src/snapshot.ts';

const repoRoot = resolve(import.meta.dirname, '..');

const { values } = parseArgs({
  options: {
    snapshot: { type: 'string' },
    out: { type: 'string' },
    'no-search': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log('usage: npm run build:site -- [--snapshot snapshot.json] [--out DIR] [--no-search]');
  process.exit(0);
}

const out = resolve(values.out ?? join(repoRoot, 'dist', 'public'));
try {
  // Fails here, with the fields named, before Astro starts; a relative mediaDir is the file's folder's.
  const snapshot = values.snapshot ? loadSnapshotFile(resolve(values.snapshot)) : emptySnapshot('');
  const result = await buildSite({
    snapshot,
    root: repoRoot,
    outDir: out,
    pagefind: !values['no-search'],
  });
  const { linked, copied, missing } = result.photos;
  console.log(
    `public site built in ${out}: ${result.pages} pages, ${linked + copied} photo file(s)` +
      `${missing.length ? `, ${missing.length} missing` : ''}, ${result.compressed.files} file(s) compressed (${(result.ms / 1000).toFixed(1)} s)`,
  );
} catch (error) {
  console.error(`build:site failed: ${(error as Error).message}`);
  process.exit(1);
}
