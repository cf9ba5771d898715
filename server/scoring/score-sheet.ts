// The units' ranking (考核) as a sheet of the monthly report's workbook: rank, unit, total, band,
// red or black list, then each part's score and what it measured.
import type { Column, Table } from '../ledgers/table-export.ts';
import type { ScoreBoard, ScoreRow } from './scoring.ts';

const LIST_LABELS = { red: '红榜', black: '黑榜' } as const;

export function scoreSheet(board: ScoreBoard): Table<unknown> {
  const partColumns: Array<Column<ScoreRow>> = board.parts.flatMap((part, i) => [
    { header: `${part.label}（权重${part.weight}）`, kind: 'auto' as const, width: 12, value: (r: ScoreRow) => r.parts[i]?.score ?? null },
    { header: `${part.label}依据`, kind: 'text' as const, width: 22, value: (r: ScoreRow) => r.parts[i]?.measure ?? null },
  ]);
  const table: Table<ScoreRow> = {
    sheet: '单位考核',
    columns: [
      { header: '排名', kind: 'integer', width: 6, value: (r) => r.rank },
      { header: '单位', kind: 'text', width: 18, value: (r) => r.unit.shortName },
      { header: '总分', kind: 'auto', width: 8, value: (r) => r.total },
      { header: '档次', kind: 'text', width: 12, value: (r) => r.band ?? '本期无考核数据' },
      { header: '红黑榜', kind: 'text', width: 8, value: (r) => (r.list ? LIST_LABELS[r.list] : null) },
      ...partColumns,
    ],
    rows: board.rows,
  };
  return table as Table<unknown>;
}
