/** Later-change warnings: which commits after a rollback's target changed the fields it changes. */
import type { FieldDiff } from '../diff/compare-files';
import { fieldKeyOf, indexedHistoryBetween } from '../history/field-history';
import type { TenantEnvironment } from '../model';
import type { Backend } from '../ports';

export interface FieldWarning {
  file: string;
  path: string;
  /** Commits after the target that changed this field again: rolling back undoes them too. Newest first. */
  laterRevisions: string[];
}

/** For each changed field, the commits after the target (up to head) that changed it, newest first. */
export async function laterChanges(backend: Backend, context: TenantEnvironment, targetSha: string, head: string, fields: FieldDiff[]): Promise<FieldWarning[]> {
  if (fields.length === 0 || targetSha === head) return [];
  const history = await indexedHistoryBetween(backend, context, targetSha, head);
  const later = await history.commitsChangingLeaves(fields);
  return fields
    .map((field) => ({ file: field.file, path: field.path, laterRevisions: [...(later.get(fieldKeyOf(field.file, field.path)) ?? [])].reverse() }))
    .filter((warning) => warning.laterRevisions.length > 0);
}
