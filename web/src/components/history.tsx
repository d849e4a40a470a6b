/** The deployment history with the spec's columns and its two actions; new deployments arrive at the top through deploymentRecorded. */
import { useState } from 'preact/hooks';
import type { IncidentDeploymentRowFragment } from '../../gql/graphql';
import { CompareDocument } from '../documents';
import { short, time } from '../format';
import { useQuery } from '../hooks';
import type { Where } from '../session';
import { CompareView } from './diff';

function Compare({ where, revision }: { where: Where; revision: string }) {
  const diff = useQuery((api) => api.request(CompareDocument, { ...where, revision }), [where.project, where.tenant, where.environment, revision]);
  if (diff.loading && !diff.data) return <p class="loading" role="status">Comparing {short(revision)} with the current state…</p>;
  if (diff.error) return <p class="error" role="alert">{diff.error}</p>;
  return <CompareView diff={diff.data!.tenantEnvironment!.compareWithCurrent} revision={revision} />;
}

export function History({
  where,
  rows,
  canRollBack,
  onRollBack,
}: {
  where: Where;
  rows: IncidentDeploymentRowFragment[];
  canRollBack: boolean;
  onRollBack(row: IncidentDeploymentRowFragment): void;
}) {
  const [comparing, setComparing] = useState<string | null>(null);
  return (
    <section class="panel" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <div class="scroll">
        <table class="history" data-testid="history">
          <thead>
            <tr>
              <th scope="col">Revision</th>
              <th scope="col">Timestamp</th>
              <th scope="col">Author</th>
              <th scope="col">Changes</th>
              <th scope="col">Source</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => [
              <tr key={row.id} data-revision={row.revision} class={index === 0 ? 'current' : ''}>
                <td class="mono">
                  {row.shortRevision}
                  {index === 0 && <span class="badge small">current</span>}
                </td>
                <td class="nowrap" title={time(row.timestamp)}>
                  {time(row.timestamp).slice(0, 16)}
                </td>
                <td title={row.author.email}>{row.author.name}</td>
                <td>
                  <ul class="changes">
                    {row.changes.map((change) => (
                      <li key={change}>{change}</li>
                    ))}
                  </ul>
                </td>
                <td>
                  <span class={`badge source-${row.source.toLowerCase()}`}>{row.source}</span>
                </td>
                <td>
                  <span class={`badge ${row.status === 'SUCCESS' ? 'good' : row.status === 'FAILED' ? 'bad' : 'warn'}`}>{row.status.replace('_', ' ')}</span>
                </td>
                <td>
                  {index > 0 && (
                    <div class="actions">
                      <button
                        type="button"
                        aria-expanded={comparing === row.revision}
                        aria-label={`Compare ${row.shortRevision} with current`}
                        onClick={() => setComparing(comparing === row.revision ? null : row.revision)}
                      >
                        Compare with current
                      </button>
                      {canRollBack && (
                        <button type="button" class="primary" aria-label={`Roll back to ${row.shortRevision}`} onClick={() => onRollBack(row)}>
                          Roll back to this revision
                        </button>
                      )}
                    </div>
                  )}
                </td>
              </tr>,
              comparing === row.revision && (
                <tr key={`${row.id}-compare`} class="compare-row">
                  <td colSpan={7}>
                    <Compare where={where} revision={row.revision} />
                  </td>
                </tr>
              ),
            ])}
          </tbody>
        </table>
      </div>
    </section>
  );
}
