/** "What is running now": desired (Git) against observed (the agent), live through syncStatusChanged. */
import type { IncidentRunningNowQuery, IncidentSyncStatusFragment } from '../../gql/graphql';
import { ago, short, time, value } from '../format';

type TenantEnvironment = NonNullable<IncidentRunningNowQuery['tenantEnvironment']>;

export function RunningNow({ te, sync, latestRevision }: { te: TenantEnvironment; sync: IncidentSyncStatusFragment; latestRevision: string | null }) {
  const synced = sync.syncedHead;
  return (
    <section class="panel running" aria-labelledby="running-title">
      <h2 id="running-title">What is running now</h2>
      <dl class="facts">
        <div>
          <dt>Latest deployment</dt>
          <dd class="mono" data-testid="latest-revision">{short(latestRevision)}</dd>
        </div>
        <div>
          <dt>Head revision (main)</dt>
          <dd class="mono" data-testid="head-revision">{short(te.headRevision)}</dd>
        </div>
        <div>
          <dt>Synced revision</dt>
          <dd class="mono" data-testid="synced-revision">{short(sync.syncedRevision)}</dd>
        </div>
        <div>
          <dt>Sync</dt>
          <dd>
            <span class={`badge ${synced ? 'good' : 'warn'}`} data-testid="sync-state">
              {synced ? 'Synced' : 'Out of sync'}
            </span>
          </dd>
        </div>
        <div>
          <dt>Agent</dt>
          <dd data-testid="agent">
            <span class={`badge ${sync.agentReachable ? 'good' : 'bad'}`}>{sync.agentReachable ? 'Reachable' : 'Unreachable'}</span>{' '}
            <span class="muted" title={time(sync.lastSeenAt)}>
              {sync.lastSeenAt ? `${sync.agentReachable ? 'last report' : 'silent since'} ${ago(sync.lastSeenAt)}` : 'no report yet'}
            </span>
          </dd>
        </div>
        <div>
          <dt>Health</dt>
          <dd>
            <span class={`badge ${sync.health === 'HEALTHY' ? 'good' : sync.health ? 'warn' : ''}`} data-testid="health">
              {sync.health ?? 'Unknown'}
            </span>
          </dd>
        </div>
        <div>
          <dt>Drift</dt>
          <dd data-testid="drift-count">{te.drift.length === 0 ? 'none' : `${te.drift.length} field${te.drift.length === 1 ? '' : 's'}`}</dd>
        </div>
      </dl>
      <p class="muted" data-testid="sync-message">{sync.message}</p>
      {te.drift.length > 0 && (
        <table class="compact" aria-label="Drifting fields">
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Field</th>
              <th scope="col">Desired (Git)</th>
              <th scope="col">Live</th>
            </tr>
          </thead>
          <tbody>
            {te.drift.map((d) => (
              <tr key={`${d.service}:${d.field}`}>
                <td>{d.service}</td>
                <td class="mono">{d.field}</td>
                <td class="mono">{value(d.desired)}</td>
                <td class="mono bad-text">{value(d.live)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {sync.pendingSyncRollbacks.length > 0 && (
        <p class="notice" role="status" data-testid="pending-sync">
          {sync.pendingSyncRollbacks.length} rollback{sync.pendingSyncRollbacks.length === 1 ? '' : 's'} not yet synced ({sync.pendingSyncRollbacks.join(', ')}): safe
          in Git; sync will occur when the agent reconnects.
        </p>
      )}
    </section>
  );
}
