// The .xlsx writer's thread (xlsx-in-worker.ts starts one per file): building a workbook of tens
// of thousands of rows takes seconds of CPU, which on the web process's own thread would hold
// every other request. Messages: `sheet` opens a sheet, `rows` adds plain cell values to it,
// `end` writes the file and answers `done` with its bytes (transferred, not copied) or `error`.
import { parentPort } from 'node:worker_threads';
import { SheetBuilder, writeWorkbook, type CellValue, type SheetColumn } from './xlsx-workbook.ts';

export type ToXlsxWorker =
  { type: 'sheet'; name: string; columns: SheetColumn[] } | { type: 'rows'; rows: CellValue[][] } | { type: 'end' };
export type FromXlsxWorker = { type: 'done'; body: Uint8Array } | { type: 'error'; message: string };

const port = parentPort;
if (port) {
  const sheets: SheetBuilder[] = [];
  port.on('message', (message: ToXlsxWorker) => {
    switch (message.type) {
      case 'sheet':
        sheets.push(new SheetBuilder(message.name, message.columns));
        return;
      case 'rows':
        sheets.at(-1)!.add(message.rows);
        return;
      case 'end':
        writeWorkbook(sheets).then(
          (buffer) => {
            // A buffer that owns its whole memory moves to the other thread as it is; a slice of
            // Node's pool is copied first (the pool is not ours to give away).
            const body =
              buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength
                ? new Uint8Array(buffer.buffer)
                : new Uint8Array(buffer);
            port.postMessage({ type: 'done', body } satisfies FromXlsxWorker, [body.buffer as ArrayBuffer]);
          },
          (error: unknown) =>
            port.postMessage({
              type: 'error',
              message: error instanceof Error ? (error.stack ?? error.message) : String(error),
            } satisfies FromXlsxWorker),
        );
        return;
    }
  });
}
