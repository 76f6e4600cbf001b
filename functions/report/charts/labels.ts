import { columnInfo, isColumnId } from '@air-quality/preprocessing';
import type { ColumnLabel } from './specs';

/** Label and unit from the dataset catalogue; a column outside it is shown by its id. */
export function columnLabel(id: string): ColumnLabel {
  if (!isColumnId(id)) return { id, label: id, unit: '' };
  const { label, unit } = columnInfo(id);
  return { id, label, unit };
}
