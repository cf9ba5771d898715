// Import of call records from a phone system's CSV export (issue 5, item 6):
//   npm run hotline:import -- calls.csv [more.csv …]
// Each row is a call and goes through the hotline service like a call the operator logs in the
// console (hotline-service.ts, recordImportedCall): a new ticket through submitReport (channel
// hotline), a "+1" on the ticket named, a consultation answered or a referral recorded. The
// phone system's call id makes a re-import record nothing twice. A bad row is reported with
// the reason and the import goes on. Reading the file is call-csv.ts's part, a row's meaning
// call-row.ts's.
import fs from 'node:fs/promises';
import type { Catalog } from '../catalog/types.ts';
import { InvalidInputError } from '../errors.ts';
import { CsvFileError, decodeCsv, readCallRows, type CallColumn, type CsvRow } from './call-csv.ts';
import { rowToCall } from './call-row.ts';
import type { CallOutcome } from './call-types.ts';
import type { Hotline } from './hotline-service.ts';

export type ImportOutcome = 'created' | 'attached' | 'answered' | 'referred' | 'duplicate' | 'error';

/** One line of the command's output: what a row became. */
export interface CallImportLine {
  file: string;
  /** Line of the file the row starts on (the header is line 1). */
  line: number;
  outcome: ImportOutcome;
  callId?: string;
  trackingCode?: string;
  error?: string;
}

/** What a file as a whole came to; `error` when it could not be read or is no call export. */
export interface CallImportFile {
  file: string;
  encoding: string | null;
  counts: Record<ImportOutcome, number>;
  ignoredColumns: string[];
  error?: string;
}

const OUTCOME_WORDS: Record<CallOutcome, ImportOutcome> = {
  ticket: 'created',
  attached: 'attached',
  answered: 'answered',
  referred: 'referred',
};
/** Input paths of the call and report schemas → the CSV column an operator fixes. */
const FIELD_COLUMNS: Record<string, CallColumn> = {
  'caller.phone': 'caller_number',
  'reporter.phone': 'caller_number',
  'caller.name': 'caller_name',
  'reporter.name': 'caller_name',
  'caller.anonymous': 'anonymous',
  'caller.wantsCallback': 'callback',
  outcome: 'outcome',
  description: 'description',
  categoryCode: 'category',
  category: 'category',
  pointId: 'point',
  address: 'address',
  'location.address': 'address',
  answer: 'answer',
  referredTo: 'referred_to',
  attachTo: 'attach_to',
};

function describeError(error: unknown): string {
  if (error instanceof InvalidInputError) {
    const [field, message] = Object.entries(error.fields)[0] ?? [];
    const column = field ? FIELD_COLUMNS[field] : undefined;
    return column ? `${column}: ${message ?? error.message}` : error.message;
  }
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}

export interface CallImportDeps {
  hotline: Pick<Hotline, 'recordImportedCall'>;
  catalog: Catalog;
}

const emptyCounts = (): Record<ImportOutcome, number> => ({ created: 0, attached: 0, answered: 0, referred: 0, duplicate: 0, error: 0 });

/**
 * One export's bytes → a line per row, in file order, one row after the other (a "+1" may name
 * the ticket a row above it created). Throws CsvFileError when the file is no call export.
 */
export async function importCallCsv(
  deps: CallImportDeps,
  bytes: Uint8Array,
  file: string,
  onLine: (line: CallImportLine) => void = () => {},
): Promise<CallImportFile> {
  const { text, encoding } = decodeCsv(bytes);
  const { rows, ignoredColumns } = readCallRows(text);
  const counts = emptyCounts();
  for (const row of rows) {
    const line = await importRow(deps, file, row);
    counts[line.outcome]++;
    onLine(line);
  }
  return { file, encoding, counts, ignoredColumns };
}

async function importRow(deps: CallImportDeps, file: string, row: CsvRow): Promise<CallImportLine> {
  if ('error' in row) return { file, line: row.line, outcome: 'error', error: row.error };
  const callId = row.cells.call_id;
  const base = { file, line: row.line, ...(callId && { callId }) };
  try {
    const { input, meta } = rowToCall(deps.catalog, row.cells);
    const call = await deps.hotline.recordImportedCall(input, meta);
    return {
      ...base,
      outcome: call.duplicate ? 'duplicate' : OUTCOME_WORDS[call.outcome],
      ...(call.trackingCode && { trackingCode: call.trackingCode }),
    };
  } catch (error) {
    return { ...base, outcome: 'error', error: describeError(error) };
  }
}

/** Each file in turn; a file that cannot be read or is no call export is reported and skipped. */
export async function importCallFiles(
  deps: CallImportDeps,
  files: readonly string[],
  onLine: (line: CallImportLine) => void = () => {},
): Promise<CallImportFile[]> {
  const results: CallImportFile[] = [];
  for (const file of files) {
    try {
      results.push(await importCallCsv(deps, await fs.readFile(file), file, onLine));
    } catch (error) {
      const message = error instanceof CsvFileError ? error.message : `无法读取文件：${describeError(error)}`;
      results.push({ file, encoding: null, counts: emptyCounts(), ignoredColumns: [], error: message });
    }
  }
  return results;
}
