// Precompressed siblings of a static site's text files: `<file>.br` and `<file>.gz`, written
// once at build time so the host sends them as they are (server/http/send-file.ts). Used for the
// public site's builds and for the app's dist/client (`npm run build`).
//
// A rebuild re-renders every page, but most of them come out byte for byte as before: when the
// previous build (`reuseFrom`) has the same file with the same bytes, its `.br`/`.gz` are hard
// linked instead of compressed again — that keeps one more notice's publish time small.
//   node server/publish/site-compress.ts dist/client
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

/** What is compressed: text only; images and fonts are compressed already. */
export const COMPRESSIBLE = new Set(['.html', '.css', '.js', '.mjs', '.json', '.xml', '.svg', '.txt', '.webmanifest']);
/** Smaller files gain too little to be worth a second request path. */
const MIN_BYTES = 256;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

export interface CompressStats {
  files: number;
  compressed: number;
  reused: number;
  bytes: number;
  brBytes: number;
  gzBytes: number;
}

export async function precompressTree(dir: string, options: { reuseFrom?: string; concurrency?: number } = {}): Promise<CompressStats> {
  const stats: CompressStats = { files: 0, compressed: 0, reused: 0, bytes: 0, brBytes: 0, gzBytes: 0 };
  const files: string[] = [];
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !COMPRESSIBLE.has(path.extname(entry.name).toLowerCase())) continue;
    files.push(path.relative(dir, path.join(entry.parentPath, entry.name)));
  }
  let next = 0;
  const work = async () => {
    while (next < files.length) {
      const rel = files[next++] as string;
      const file = path.join(dir, rel);
      const body = await fs.readFile(file);
      stats.files++;
      if (body.length < MIN_BYTES) {
        await removeSiblings(file);
        continue;
      }
      stats.bytes += body.length;
      if (options.reuseFrom && (await reuse(body, path.join(options.reuseFrom, rel), file, stats))) continue;
      const [br, gz] = await Promise.all([brotli(body, { params: brotliParams(rel, body.length) }), gzip(body, { level: 9 })]);
      // A sibling no smaller than the file is not written: the file itself is sent.
      if (br.length < body.length) {
        await fs.writeFile(`${file}.br`, br);
        stats.brBytes += br.length;
      } else await fs.rm(`${file}.br`, { force: true });
      if (gz.length < body.length) {
        await fs.writeFile(`${file}.gz`, gz);
        stats.gzBytes += gz.length;
      } else await fs.rm(`${file}.gz`, { force: true });
      stats.compressed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 6, files.length) }, work));
  return stats;
}

/**
 * Brotli at 11 (the best, ~10 ms for a 6 KB page here) for scripts, stylesheets and anything
 * large: they are few and loaded by every page. Pages are many — 10,000 notices — so they get
 * quality 9 with a 64 KB window: ~0.3 ms a page for ~9 % more bytes than 11, which keeps a full
 * build within its budget (docs/benchmarks.md).
 */
function brotliParams(rel: string, size: number): Record<number, number> {
  const page = /\.(html|xml|json)$/i.test(rel) && size <= 64 * 1024;
  return {
    [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
    [zlib.constants.BROTLI_PARAM_QUALITY]: page ? 9 : 11,
    ...(page && { [zlib.constants.BROTLI_PARAM_LGWIN]: 16 }),
    [zlib.constants.BROTLI_PARAM_SIZE_HINT]: size,
  };
}

/** A sibling left from an earlier run over the same folder must not outlive its file's content. */
async function removeSiblings(file: string): Promise<void> {
  await Promise.all(['.br', '.gz'].map((ext) => fs.rm(file + ext, { force: true })));
}

async function reuse(body: Buffer, previous: string, file: string, stats: CompressStats): Promise<boolean> {
  const old = await fs.readFile(previous).catch(() => null);
  if (!old || !old.equals(body)) return false;
  const siblings = await Promise.all(
    ['.br', '.gz'].map((ext) =>
      fs.stat(previous + ext).then(
        (s) => ({ ext, size: s.size }),
        () => null,
      ),
    ),
  );
  if (siblings.some((s) => s === null)) return false;
  for (const s of siblings) {
    if (!s) continue;
    try {
      await fs.link(previous + s.ext, file + s.ext);
    } catch {
      await fs.copyFile(previous + s.ext, file + s.ext);
    }
    if (s.ext === '.br') stats.brBytes += s.size;
    else stats.gzBytes += s.size;
  }
  stats.reused++;
  return true;
}

if (import.meta.main) {
  const dirs = process.argv.slice(2);
  if (dirs.length === 0) {
    // eslint-disable-next-line no-console -- the build's command line (npm run build), not the server
    console.error('usage: node server/publish/site-compress.ts <dir>…');
    process.exit(2);
  }
  for (const dir of dirs) {
    const s = await precompressTree(dir);
    // eslint-disable-next-line no-console -- the build's output
    console.log(
      `${dir}: ${s.compressed} file(s) compressed (${s.files} text files), ${Math.round(s.bytes / 1024)} KB → br ${Math.round(s.brBytes / 1024)} KB, gz ${Math.round(s.gzBytes / 1024)} KB`,
    );
  }
}
