/**
 * Which deployments a rollback undid: the commits after the target (up to the rollback commit) whose
 * changes to the rolled-back scope the rollback reverted — every change of the tenant-environment for
 * FULL, the service's files and `services.<name>` variables for SERVICE, the selected fields' values
 * for FIELD. A commit that only touched other services, other fields of the same file or global
 * variables is not undone, so its deployment must not be marked ROLLED_BACK.
 */
import type { GitRepository } from '../ports';
import { formatFieldPath, readField } from '../../yaml';
import { VARIABLES_FILE, serviceDir, tenantEnvironmentDir } from '../layout';
import type { TenantEnvironment } from '../model';
import { locateField, type RollbackScope } from './plan';

export async function revertedRevisions(
  git: GitRepository,
  context: TenantEnvironment,
  scope: RollbackScope,
  targetSha: string,
  rollbackSha: string,
): Promise<string[]> {
  const dir = tenantEnvironmentDir(context.ref.tenant, context.ref.environment);
  const idOf = (sha: string | null, path: string) => (sha ? git.treeIdOf(sha, path ? `${dir}/${path}` : dir) : Promise.resolve(null));
  const valueOf = async (sha: string | null, file: string, path: string) => {
    const blob = sha ? await git.readFile(sha, `${dir}/${file}`) : null;
    if (!blob) return 'absent';
    try {
      const read = readField(blob.toString('utf8'), path, file);
      return read.found ? JSON.stringify(read.value) ?? 'undefined' : 'absent';
    } catch {
      return `unreadable:${blob.toString('base64')}`;
    }
  };
  /** Whether the value at `path` of `file` differs between two revisions (cheap when the blob is the same). */
  const fieldChanged = async (from: string | null, to: string, file: string, path: string) =>
    (await idOf(from, file)) !== (await idOf(to, file)) && (await valueOf(from, file, path)) !== (await valueOf(to, file, path));

  const rollbackParent = (await git.commitInfo(rollbackSha)).parents[0] ?? null;
  // FIELD: only the selected fields the rollback actually changed.
  const fields =
    scope.mode === 'FIELD'
      ? (
          await Promise.all(
            scope.fields.map(async (field) => {
              const { file, yamlPath } = locateField(scope.service!, field);
              return (await fieldChanged(rollbackParent, rollbackSha, file, yamlPath)) ? { file, yamlPath } : null;
            }),
          )
        ).filter((f): f is { file: string; yamlPath: string } => f !== null)
      : [];

  const reverted: string[] = [];
  for (const commit of await git.log({ from: rollbackSha, until: targetSha })) {
    if (commit.sha === rollbackSha) continue;
    const parent = commit.parents[0] ?? null;
    if ((await idOf(parent, '')) === (await idOf(commit.sha, ''))) continue;
    let undone: boolean;
    if (scope.mode === 'FULL') {
      undone = true;
    } else if (scope.mode === 'SERVICE') {
      const service = scope.service!;
      undone =
        (await idOf(parent, serviceDir(service))) !== (await idOf(commit.sha, serviceDir(service))) ||
        (await fieldChanged(parent, commit.sha, VARIABLES_FILE, formatFieldPath(['services', service])));
    } else {
      undone = false;
      for (const field of fields) {
        if (await fieldChanged(parent, commit.sha, field.file, field.yamlPath)) {
          undone = true;
          break;
        }
      }
    }
    if (undone) reverted.push(commit.sha);
  }
  return reverted;
}
