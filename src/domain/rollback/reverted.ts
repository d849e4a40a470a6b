/**
 * Which deployments a rollback undid: the commits after the target (up to the rollback commit) whose
 * changes to the rolled-back scope the rollback reverted — every change of the tenant-environment for
 * FULL, the service's files and `services.<name>` variables for SERVICE, the selected fields' values
 * for FIELD. A commit that only touched other services, other fields of the same file or global
 * variables is not undone, so its deployment must not be marked ROLLED_BACK.
 */
import { formatFieldPath } from '../../yaml';
import type { IndexedHistory, RangeCommit } from '../history/field-history';
import { VARIABLES_FILE, serviceDir } from '../layout';
import { locateField, type RollbackScope } from './plan';

/**
 * `history` runs from the target to the rollback commit's parent (so the rollback commit need not be
 * indexed yet); newest first.
 */
export async function revertedRevisions(history: IndexedHistory, scope: RollbackScope, rollbackSha: string): Promise<string[]> {
  let undone: RangeCommit[];
  if (scope.mode === 'FULL') {
    undone = await history.commitsChangingTenantEnvironment();
  } else if (scope.mode === 'SERVICE') {
    const service = scope.service!;
    undone = [
      ...(await history.commitsChangingFilesBelow(`${serviceDir(service)}/`)),
      ...(await history.commitsChangingValue(VARIABLES_FILE, formatFieldPath(['services', service]))),
    ];
  } else {
    // Only the selected fields the rollback actually changed.
    undone = [];
    for (const field of scope.fields) {
      const { file, yamlPath } = locateField(scope.service!, field);
      if (await history.reader.valueChanged(rollbackSha, file, yamlPath)) undone.push(...(await history.commitsChangingValue(file, yamlPath)));
    }
  }
  const bySequence = new Map(undone.map((commit) => [commit.sequence, commit.revision]));
  return [...bySequence.entries()].sort(([a], [b]) => b - a).map(([, revision]) => revision);
}
