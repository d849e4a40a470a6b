/** The incident screen: sign-in, the tenant-environment picker, and the live panels of one tenant-environment. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { IncidentDeploymentRowFragment, IncidentViewerQuery } from '../gql/graphql';
import { createApi, type ConnectionState } from './api';
import { fromChangeRequest, fromRollbackRequest, type PageRequest } from './approvals';
import { BreakGlass } from './components/break-glass';
import { History } from './components/history';
import { Inbox, Requests } from './components/requests';
import { RunningNow } from './components/running-now';
import { RollbackWizard } from './components/wizard';
import {
  BreakGlassDocument,
  ChangeRequestUpdatedDocument,
  DeploymentRecordedDocument,
  HistoryDocument,
  RequestsDocument,
  RequestUpdatedDocument,
  RunningNowDocument,
  SyncStatusChangedDocument,
  ViewerDocument,
} from './documents';
import { LiveContext, useQuery, useSubscription } from './hooks';
import { hashOf, session, whereFromHash, type Where } from './session';

export function App() {
  const [token, setToken] = useState(session.token());
  if (!token) return <SignIn onSignIn={(value) => (session.signIn(value), setToken(session.token()))} />;
  return (
    <Connected
      token={token}
      onSignOut={() => {
        session.signOut();
        setToken(null);
      }}
    />
  );
}

function SignIn({ onSignIn, error }: { onSignIn(token: string): void; error?: string }) {
  const [value, setValue] = useState('');
  return (
    <main class="signin">
      <h1>Backtrack incident screen</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onSignIn(value);
        }}
      >
        <label class="block">
          API token
          <input type="password" autoComplete="off" value={value} required onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        </label>
        <p class="muted">The token stays in this tab (sessionStorage) and is sent to this server only.</p>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
    </main>
  );
}

function Connected({ token, onSignOut }: { token: string; onSignOut(): void }) {
  const api = useMemo(() => createApi(token), [token]);
  const [epoch, setEpoch] = useState(0);
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  useEffect(() => {
    const off = api.onConnection((state, resumed) => {
      setConnection(state);
      // Events sent while the socket was down are lost: refetch everything once it is back.
      if (resumed) setEpoch((n) => n + 1);
    });
    return () => {
      off();
      api.close();
    };
  }, [api]);
  const live = useMemo(() => ({ api, epoch }), [api, epoch]);
  return (
    <LiveContext.Provider value={live}>
      <Screen connection={connection} onSignOut={onSignOut} />
    </LiveContext.Provider>
  );
}

type Viewer = IncidentViewerQuery['viewer'];

function Screen({ connection, onSignOut }: { connection: ConnectionState; onSignOut(): void }) {
  const viewer = useQuery((api) => api.request(ViewerDocument, {}), []);
  const [where, setWhere] = useState<Where | null>(whereFromHash());
  useEffect(() => {
    const onHash = () => setWhere(whereFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const v = viewer.data?.viewer;
  // Without a choice in the URL: the first tenant-environment of the first project.
  useEffect(() => {
    if (!v || where) return;
    const first = v.projectRoles.find((r) => r.project.tenantEnvironments.length > 0);
    const te = first?.project.tenantEnvironments.find((t) => t.environment === 'production') ?? first?.project.tenantEnvironments[0];
    if (first && te) location.hash = hashOf({ project: first.project.slug, tenant: te.tenant, environment: te.environment });
  }, [v, where]);

  if (viewer.error && !v) {
    const refused = /UNAUTHENTICATED|TOKEN_EXPIRED/.test(viewer.error);
    return (
      <main class="signin">
        <p class="error" role="alert">
          {refused ? `This token is not accepted: ${viewer.error}` : viewer.error}
        </p>
        <button type="button" onClick={refused ? onSignOut : viewer.reload}>
          {refused ? 'Sign in again' : 'Retry'}
        </button>
      </main>
    );
  }
  if (!v) return <p class="loading page" role="status">Loading…</p>;
  return (
    <>
      <header class="top">
        <h1>Backtrack incident screen</h1>
        <Picker viewer={v} where={where} />
        <div class="viewer" data-testid="viewer">
          <span>{v.name}</span>{' '}
          <span class="muted">
            {v.projectRoles.map((r) => `${r.role} in ${r.project.slug}`).join(', ')}
          </span>{' '}
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      {connection !== 'connected' && (
        <p class="connection" role="status" data-testid="connection">
          {connection === 'connecting'
            ? 'Connecting to live updates…'
            : connection === 'refused'
              ? 'Live updates refused: the token is no longer accepted (revoked, expired or roles changed). Sign out and sign in again.'
              : 'Connection lost: reconnecting to live updates…'}
        </p>
      )}
      {where ? <TenantEnvironmentScreen key={hashOf(where)} where={where} viewer={v} /> : <p class="muted page">You hold no role in a project with tenant-environments.</p>}
    </>
  );
}

function Picker({ viewer, where }: { viewer: Viewer; where: Where | null }) {
  const options = viewer.projectRoles.flatMap((r) => r.project.tenantEnvironments.map((te) => ({ project: r.project.slug, tenant: te.tenant, environment: te.environment })));
  return (
    <label class="picker">
      Tenant-environment{' '}
      <select value={where ? hashOf(where) : ''} onChange={(e) => (location.hash = (e.target as HTMLSelectElement).value)}>
        {options.map((o) => (
          <option key={hashOf(o)} value={hashOf(o)}>
            {o.project} / {o.tenant} / {o.environment}
          </option>
        ))}
      </select>
    </label>
  );
}

function TenantEnvironmentScreen({ where, viewer }: { where: Where; viewer: Viewer }) {
  const key = [where.project, where.tenant, where.environment];
  const running = useQuery((a) => a.request(RunningNowDocument, where), key);
  const history = useQuery(async (a) => (await a.request(HistoryDocument, { ...where, first: 25 })).tenantEnvironment?.deployments.edges.map((e) => e.node) ?? [], key);
  const requests = useQuery(
    async (a) =>
      (await a.request(RequestsDocument, { project: where.project })).project?.tenantEnvironments.flatMap((te) => [
        ...te.rollbackRequests.map(fromRollbackRequest),
        ...te.approvalRequests.map(fromChangeRequest),
      ]) ?? [],
    [where.project],
  );
  const breakGlass = useQuery(async (a) => (await a.request(BreakGlassDocument, { project: where.project })).project?.breakGlassSessions ?? [], [where.project]);
  const [sync, setSync] = useState(running.data?.tenantEnvironment?.syncStatus ?? null);
  useEffect(() => setSync(running.data?.tenantEnvironment?.syncStatus ?? null), [running.data]);
  const [rollbackTarget, setRollbackTarget] = useState<IncidentDeploymentRowFragment | null>(null);
  const te = running.data?.tenantEnvironment;
  const teId = te?.id;
  const projectId = te?.project.id;

  const upsertRequest = (request: PageRequest) =>
    requests.set((list) => {
      const others = list.filter((r) => r.id !== request.id);
      return [request, ...others];
    });

  useSubscription(
    (a) =>
      teId
        ? a.subscribe(SyncStatusChangedDocument, { tenantEnvironmentId: teId }, (data) => {
            setSync(data.syncStatusChanged);
            // Drift is computed from the report: read it again.
            running.reload();
          })
        : null,
    [teId],
  );
  useSubscription(
    (a) =>
      teId
        ? a.subscribe(DeploymentRecordedDocument, { tenantEnvironmentId: teId }, (data) => {
            history.set((rows) => [data.deploymentRecorded, ...rows.filter((r) => r.id !== data.deploymentRecorded.id)]);
            // Earlier rows may now read ROLLED BACK, and the head moved.
            history.reload();
            running.reload();
          })
        : null,
    [teId],
  );
  useSubscription(
    (a) =>
      projectId
        ? a.subscribe(RequestUpdatedDocument, { projectId }, (data) => {
            upsertRequest(fromRollbackRequest(data.rollbackRequestUpdated.request));
            if (data.rollbackRequestUpdated.request.breakGlassSession) breakGlass.reload();
          })
        : null,
    [projectId],
  );
  useSubscription(
    (a) =>
      projectId
        ? a.subscribe(ChangeRequestUpdatedDocument, { projectId }, (data) => {
            // Rollbacks arrive with their notes and preview on the subscription above.
            if (data.approvalRequestUpdated.kind === 'ROLLBACK') return;
            upsertRequest(fromChangeRequest(data.approvalRequestUpdated.request));
            if (data.approvalRequestUpdated.request.breakGlassSession) breakGlass.reload();
          })
        : null,
    [projectId],
  );
  // Break-glass sessions have no subscription: read them again every 30 s.
  useEffect(() => {
    const timer = setInterval(() => breakGlass.reload(), 30_000);
    return () => clearInterval(timer);
  }, [where.project]);

  if (running.error && !te) return <p class="error page" role="alert">{running.error}</p>;
  if (!te || !sync) return <p class="loading page" role="status">Loading {where.tenant}/{where.environment}…</p>;
  const role = te.project.viewerRole;
  // Roles include the ones below them: VIEWER < DEPLOYER < APPROVER < ADMIN.
  const canRollBack = role === 'DEPLOYER' || role === 'APPROVER' || role === 'ADMIN';
  const canReview = role === 'APPROVER' || role === 'ADMIN';
  const all = [...(requests.data ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const here = all.filter((r) => r.tenantEnvironmentId === te.id);
  return (
    <main class="screen">
      <BreakGlass project={where.project} sessions={breakGlass.data ?? []} viewerId={viewer.id} canOpen={canRollBack} onChanged={breakGlass.reload} />
      <RunningNow te={te} sync={sync} latestRevision={history.data?.[0]?.revision ?? null} />
      {canReview && <Inbox requests={all} viewerId={viewer.id} onChanged={upsertRequest} />}
      {rollbackTarget && (
        <RollbackWizard
          where={where}
          target={rollbackTarget}
          onClose={() => setRollbackTarget(null)}
          onSubmitted={(request) => {
            upsertRequest(request);
            setRollbackTarget(null);
            document.getElementById('requests-title')?.scrollIntoView();
          }}
        />
      )}
      <div class="columns">
        {requests.error && !requests.data ? (
          <p class="error requests-panel" role="alert">{requests.error}</p>
        ) : (
          <Requests requests={here} canReview={canReview} onChanged={upsertRequest} />
        )}
        {history.error && !history.data ? (
          <p class="error" role="alert">{history.error}</p>
        ) : !history.data ? (
          <p class="loading" role="status">Loading the history…</p>
        ) : (
          <History where={where} rows={history.data} canRollBack={canRollBack} onRollBack={setRollbackTarget} />
        )}
      </div>
    </main>
  );
}
