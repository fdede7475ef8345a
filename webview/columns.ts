/** The table's columns for each dataset shape, and how each cell reads from the model. */
import type { DatasetKind } from '../src/core/types';
import { fmt } from './format';
import type { AuditModel } from './model';
import type { ColumnId } from './rowView';

export interface Column {
  id: ColumnId;
  title: string;
  /** CSS grid track size. */
  width: string;
  numeric?: boolean;
  text(model: AuditModel, i: number): string;
}

const FIX_TEXT: Record<string, string> = {
  'swap-positive-negative': 'swap p/n',
  'replace-positive': 'replace positive',
  'replace-negative': 'replace negative',
};

const common = {
  row: { id: 'row', title: 'Row', width: '56px', numeric: true, text: (m, i) => String(m.rows[i].row) },
  line: { id: 'line', title: 'Line', width: '56px', numeric: true, text: (m, i) => String(m.rows[i].line) },
  category: { id: 'category', title: 'Category', width: '92px', text: (m, i) => m.categoryName(i) },
  loss: { id: 'loss', title: 'Loss', width: '72px', numeric: true, text: (m, i) => fmt(m.loss(i), 3) },
  suspicion: { id: 'suspicion', title: 'Suspicion', width: '84px', numeric: true, text: (m, i) => fmt(m.rows[i].suspicion, 2) },
  flags: { id: 'flags', title: 'Flags', width: 'minmax(120px, 1fr)', text: (m, i) => m.flags(i).join(', ') },
} satisfies Record<string, Column>;

const LABELED: readonly Column[] = [
  common.row, common.line,
  { id: 'text', title: 'Text', width: 'minmax(200px, 4fr)', text: (m, i) => m.rows[i].text ?? '' },
  { id: 'label', title: 'Label', width: 'minmax(70px, 1fr)', text: (m, i) => m.rows[i].label ?? '' },
  common.category, common.loss, common.suspicion, common.flags,
  { id: 'suggested', title: 'Suggested label', width: 'minmax(90px, 1fr)', text: (m, i) => m.rows[i].suggestedLabel ?? '' },
];

const TRIPLETS: readonly Column[] = [
  common.row, common.line,
  { id: 'anchor', title: 'Anchor', width: 'minmax(140px, 2fr)', text: (m, i) => m.rows[i].anchor ?? '' },
  { id: 'positive', title: 'Positive', width: 'minmax(140px, 2fr)', text: (m, i) => m.rows[i].positive ?? '' },
  { id: 'negative', title: 'Negative', width: 'minmax(140px, 2fr)', text: (m, i) => m.rows[i].negative ?? '' },
  common.category, common.loss, common.suspicion, common.flags,
  { id: 'suggested', title: 'Suggested fix', width: 'minmax(90px, 1fr)', text: (m, i) => { const f = m.rows[i].suggestedFix; return f ? FIX_TEXT[f] ?? f : ''; } },
];

const FILE: Column = { id: 'file', title: 'File', width: 'minmax(80px, 1fr)', text: (m, i) => m.fileName(m.fileOf(i)) };

/** The columns of a report of this shape; a multi-file audit's get the row's file after its number. */
export function columnsFor(kind: DatasetKind, multiFile = false): readonly Column[] {
  const cols = kind === 'triplets' ? TRIPLETS : LABELED;
  return multiFile ? [cols[0], FILE, ...cols.slice(1)] : cols;
}
