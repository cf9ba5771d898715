// Writes an .xlsx file on a worker thread (xlsx-worker.ts) from rows that arrive a batch at a
// time: this thread only turns each batch into plain cell values and posts it, yielding between
// batches, so the web process keeps answering while a ledger of 70,000 rows is written (issue
// 11). At most MAX_WRITERS files are written at once (each holds its whole sheet in memory);
// more wait their turn.
import { Worker } from 'node:worker_threads';
import type { FromXlsxWorker, ToXlsxWorker } from './xlsx-worker.ts';
import type { CellValue, SheetColumn } from './xlsx-workbook.ts';

export interface WorkerSheet {
  name: string;
  columns: SheetColumn[];
  /** The rows' cell values, a batch at a time, in column order. */
  rows: AsyncIterable<CellValue[][]>;
}

const MAX_WRITERS = 2;
let writing = 0;
const waiting: Array<() => void> = [];

async function turn(): Promise<() => void> {
  if (writing >= MAX_WRITERS) await new Promise<void>((resolve) => waiting.push(resolve));
  writing++;
  return () => {
    writing--;
    waiting.shift()?.();
  };
}

export async function xlsxInWorker(sheets: readonly WorkerSheet[]): Promise<Buffer> {
  const done = await turn();
  const worker = new Worker(new URL('./xlsx-worker.ts', import.meta.url));
  const post = (message: ToXlsxWorker) => worker.postMessage(message);
  const written = new Promise<Buffer>((resolve, reject) => {
    worker.on('message', (message: FromXlsxWorker) => {
      if (message.type === 'done') resolve(Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength));
      else reject(new Error(`xlsx worker: ${message.message}`));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`xlsx worker exited with code ${code}`)));
  });
  // Settled by the feeding's failure too; never left unhandled.
  written.catch(() => {});
  try {
    for (const sheet of sheets) {
      post({ type: 'sheet', name: sheet.name, columns: sheet.columns });
      for await (const rows of sheet.rows) post({ type: 'rows', rows });
    }
    post({ type: 'end' });
    return await written;
  } finally {
    await worker.terminate();
    done();
  }
}
