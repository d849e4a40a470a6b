/**
 * Turns main's commits into deployment history and the history index: every commit gets a position
 * (its sequence), and every commit that changes a tenant-environment directory is a deployment of
 * it, stored with what it changed file by file and field by field.
 *
 * Each commit is compared with its first parent by tree diff, so only the directories that differ
 * are read: the cost follows what changed, not how many tenant-environments the repository holds.
 * Commits are indexed in batches of their own transaction, each under the project's history lock,
 * so a long history (a first start on an existing repository, a big push) never holds the lock for
 * long, and readers can serve what is indexed meanwhile (indexHistoryWithin).
 */
import { parseCommitMessage } from '../commit-metadata';
import { runCompute } from '../compute-tasks';
import type { FilesDiff, ServicesOnEachSide } from '../diff/compare-files';
import { domainEvent, type DeploymentRecorded } from '../events';
import { newId } from '../ids';
import { serviceDir, serviceOfPath, tenantEnvironmentDir } from '../layout';
import type { Project, TenantEnvironmentRef } from '../model';
import { isGitError, type Backend, type CommitInfo, type GitRepository, type ReadStores, type Stores, type TreeDiffEntry } from '../ports';
import { fileText, type FileMap } from '../tenant-environment-files';
import { deploymentRow, recordedChangesOf, recoveredAuditEvent, type DeploymentFacts } from './deployment-record';

/** Commits per transaction: large enough to amortize a commit, small enough to release the lock often. */
const BATCH_COMMITS = 250;
/** Batches read ahead, so that the writer rarely waits for a read. */
const PREFETCH_BATCHES = 2;

/** The commits still to index on the way to `head`, from the indexed head `from`. */
interface IndexingPlan {
  from: string | null;
  head: string;
  commits: CommitInfo[];
  nextSequence: number;
  /** The next batches, read and compared on the compute threads while this batch is written. */
  prefetched: Array<{ first: string; read: Promise<ComparedDirectory[]> }>;
}

/** A directory a commit of the batch changed (the commit's index in the batch), compared file by file and field by field. */
interface ComparedDirectory {
  i: number;
  dir: ChangedDirectory;
  diff: FilesDiff;
}

/** Indexing in progress per backend and project, so callers join it rather than start another. */
const runs = new WeakMap<Backend, Map<string, Promise<void>>>();
const stopped = new WeakSet<Backend>();

/**
 * Returns once every commit on main is indexed (writers, previews and approvals need the whole
 * history): with the head it found indexed, or null when there is none to wait for (no main, no
 * index, shutting down).
 */
export async function indexHistory(backend: Backend, project: Project): Promise<string | null> {
  for (;;) {
    const state = await indexingState(backend, project);
    if (state.done) return state.indexedHead;
    await runFor(backend, project);
  }
}

/**
 * For readers: starts indexing (or joins it) and waits at most `budgetMs`; indexing goes on in the
 * background and the reader serves what is indexed so far. Returns whether main is fully indexed.
 */
export async function indexHistoryWithin(backend: Backend, project: Project, budgetMs: number): Promise<boolean> {
  if ((await indexingState(backend, project)).done) return true;
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), budgetMs)));
  try {
    return await Promise.race([runFor(backend, project).then(() => true), budget]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts indexing whatever main has that is not indexed yet, without waiting for it (a server start). */
export function indexInBackground(backend: Backend, project: Project): void {
  void indexingState(backend, project).then((state) => (state.done ? undefined : runFor(backend, project)), () => undefined);
}

/** Lets the batches in progress finish and starts no more (server shutdown). */
export async function stopIndexing(backend: Backend): Promise<void> {
  stopped.add(backend);
  await Promise.allSettled([...(runs.get(backend)?.values() ?? [])]);
}

async function indexingState(backend: Backend, project: Project): Promise<{ done: boolean; indexedHead: string | null }> {
  const git = await backend.repositories.forProject(project.slug);
  const [indexed, head] = await Promise.all([backend.stores.historyIndex.indexedHead(project.id), git.head()]);
  if (head && indexed === head) return { done: true, indexedHead: head };
  return { done: indexed === undefined || !head || stopped.has(backend), indexedHead: null };
}

function runFor(backend: Backend, project: Project): Promise<void> {
  let perProject = runs.get(backend);
  if (!perProject) runs.set(backend, (perProject = new Map()));
  const running = perProject.get(project.id);
  if (running) return running;
  const run = indexInBatches(backend, project).finally(() => perProject.delete(project.id));
  // A reader that stopped waiting must not leave the failure unhandled; whoever waits still sees it.
  run.catch(() => undefined);
  perProject.set(project.id, run);
  return run;
}

async function indexInBatches(backend: Backend, project: Project): Promise<void> {
  const git = await backend.repositories.forProject(project.slug);
  const state: { plan: IndexingPlan | null } = { plan: null };
  while (!stopped.has(backend)) {
    const more = await backend.locks.run(`history:${project.id}`, async () => indexNextBatch(backend, git, project.id, await git.head(), state));
    if (!more) return;
  }
}

/**
 * Indexes the next batch of commits up to `head`, the caller holding the history lock; false once
 * `head` is indexed. The plan carries over between batches unless another process indexed meanwhile.
 */
export async function indexNextBatch(
  backend: Backend,
  git: GitRepository,
  projectId: string,
  head: string | null,
  state: { plan: IndexingPlan | null },
): Promise<boolean> {
  const indexed = await backend.stores.historyIndex.indexedHead(projectId);
  if (indexed === undefined || !head || head === indexed) return false;
  const project = await backend.stores.projects.byId(projectId);
  if (!project) return false;
  if (!state.plan || state.plan.from !== project.indexedSha || state.plan.head !== head || state.plan.commits.length === 0) {
    state.plan = await planIndexing(backend, git, project, head, indexed);
  }
  const plan = state.plan;
  const batch = plan.commits.splice(0, BATCH_COMMITS);
  if (batch.length === 0) return false;
  const read = plan.prefetched[0]?.first === batch[0]!.sha ? plan.prefetched.shift()!.read : compareBatch(backend, git, batch);
  if (plan.prefetched[0] && plan.prefetched[0].first !== plan.commits[0]?.sha) plan.prefetched = [];
  for (let ahead = plan.prefetched.length; ahead < PREFETCH_BATCHES; ahead++) {
    const upcoming = plan.commits.slice(ahead * BATCH_COMMITS, (ahead + 1) * BATCH_COMMITS);
    if (upcoming.length === 0) break;
    const prefetch = { first: upcoming[0]!.sha, read: compareBatch(backend, git, upcoming) };
    // A plan dropped before its prefetch is used must not leave the failure unhandled.
    prefetch.read.catch(() => undefined);
    plan.prefetched.push(prefetch);
  }
  if (!(await indexCommits(backend, project, batch, plan.nextSequence, await read))) {
    state.plan = null;
    return true;
  }
  plan.from = batch.at(-1)!.sha;
  plan.nextSequence += batch.length;
  return true;
}

/**
 * Resumes after the indexed head while main still descends from it. Otherwise — a database that
 * predates the index, or main rewritten or restored — the whole history is indexed again from the
 * root: deployments already recorded keep their ids and take their commit's new position.
 */
async function planIndexing(backend: Backend, git: GitRepository, project: Project, head: string, indexed: string | null): Promise<IndexingPlan> {
  const last = await backend.stores.historyIndex.lastSequence(project.id);
  // The index must end at the indexed head: anything else (rows past it) is not a history to extend.
  const endsAtHead = indexed !== null && (await backend.stores.historyIndex.sequencesOf(project.id, [indexed])).get(indexed) === last;
  const resumable = endsAtHead && (await descendsFrom(git, head, indexed!));
  if (!resumable) await backend.transact(({ stores }) => stores.historyIndex.deleteCommits(project.id));
  const commits = (await git.log({ from: head, until: resumable ? indexed! : undefined })).reverse();
  return { from: indexed, head, commits, nextSequence: (resumable ? last : 0) + 1, prefetched: [] };
}

async function descendsFrom(git: GitRepository, head: string, ancestor: string): Promise<boolean> {
  try {
    return await git.isAncestor(ancestor, head);
  } catch (error) {
    if (isGitError(error, 'REVISION_NOT_FOUND')) return false;
    throw error;
  }
}

/**
 * One batch in one transaction: the commits' positions, their deployments and changes, the new
 * indexed head. False when another process indexed meanwhile (the index no longer ends where the
 * batch starts): nothing is written and the caller plans again.
 */
async function indexCommits(
  backend: Backend,
  project: Project,
  commits: CommitInfo[],
  firstSequence: number,
  compared: ComparedDirectory[],
): Promise<boolean> {
  const deployments = await deploymentsOf(backend, project, commits, firstSequence, compared);
  return backend.transact(async ({ stores, emit }) => {
    if ((await stores.historyIndex.lastSequence(project.id)) !== firstSequence - 1) return false;
    if ((await stores.historyIndex.sequencesOf(project.id, [commits[0]!.sha])).size > 0) return false;
    await stores.historyIndex.insertCommits(
      project.id,
      commits.map((commit, i) => ({ sha: commit.sha, sequence: firstSequence + i, merge: commit.parents.length > 1 })),
    );
    const now = backend.now();
    for (const recorded of await recordDeployments(stores, deployments)) {
      const audit = recoveredAuditEvent(recorded, now);
      if (audit) await stores.audit.insert(audit);
      emit(domainEvent<DeploymentRecorded>({ type: 'deploymentRecorded', projectId: project.id, tenantEnvironmentId: recorded.tenantEnvironment.id, deploymentId: recorded.id }, now));
    }
    await stores.projects.setIndexedSha(project.id, commits.at(-1)!.sha);
    return true;
  });
}

/** Stores the deployments with their change rows; returns those not recorded before. */
export async function recordDeployments(stores: Stores, deployments: Array<DeploymentFacts & { sequence: number }>): Promise<DeploymentFacts[]> {
  const stored = await stores.deployments.upsertIndexed(deployments.map((facts) => ({ ...deploymentRow(facts), sequence: facts.sequence })));
  const rows = deployments.flatMap((facts, i) =>
    facts.changes.rows.map((change) => ({ ...change, deploymentId: stored[i]!.id, tenantEnvironmentId: facts.tenantEnvironment.id, sequence: facts.sequence })),
  );
  await stores.historyIndex.upsertChanges(rows);
  return deployments.filter((_, i) => stored[i]!.inserted);
}

/** A tenant-environment directory a commit changed, with the blob ids of its changed files on both sides. */
interface ChangedDirectory {
  ref: { tenant: string; environment: string };
  files: Array<{ file: string; oldId: string | null; newId: string | null }>;
}

async function deploymentsOf(
  backend: Backend,
  project: Project,
  commits: CommitInfo[],
  firstSequence: number,
  compared: ComparedDirectory[],
): Promise<Array<DeploymentFacts & { sequence: number }>> {
  const tenantEnvironments = new TenantEnvironmentsByDirectory(backend, project);
  const people = new Lookups(backend.stores);
  const facts: Array<DeploymentFacts & { sequence: number }> = [];
  for (const { i, dir, diff } of compared) {
    const commit = commits[i]!;
    const metadata = parseCommitMessage(commit.message);
    facts.push({
      id: newId('dep'),
      projectId: project.id,
      tenantEnvironment: await tenantEnvironments.get(dir.ref),
      commit,
      metadata,
      changes: recordedChangesOf(diff),
      authorId: await people.userIdByEmail(commit.authorEmail),
      rollbackRequestId: metadata.rollbackRequestId ? await people.existingRequest(metadata.rollbackRequestId) : null,
      sequence: firstSequence + i,
    });
  }
  return facts;
}

/**
 * Reads what a batch of commits changed (one tree diff per commit, the blobs on both sides) and
 * compares each changed directory on the compute threads, in one part per thread. Summaries and
 * the index need field changes only, not text diffs.
 */
async function compareBatch(backend: Backend, git: GitRepository, commits: CommitInfo[]): Promise<ComparedDirectory[]> {
  const diffs = await git.diffTrees(commits.map((commit) => ({ sha: commit.sha, parent: commit.parents[0] ?? null })), 'tenants');
  const changed = diffs.map(changedDirectories);
  const blobs = await git.readBlobs(changed.flat().flatMap((dir) => dir.files.flatMap((f) => [f.oldId, f.newId])).filter((id): id is string => id !== null));
  const text = (id: string | null) => {
    const blob = id === null ? null : blobs.get(id);
    return blob ? fileText(blob) : undefined;
  };
  const jobs: Array<{ i: number; dir: ChangedDirectory; before: FileMap; after: FileMap; presence: ServicePresence }> = [];
  for (const [i, commit] of commits.entries()) {
    for (const dir of changed[i]!) {
      const before: FileMap = new Map();
      const after: FileMap = new Map();
      for (const { file, oldId, newId } of dir.files) {
        const was = text(oldId);
        const is = text(newId);
        if (was !== undefined) before.set(file, was);
        if (is !== undefined) after.set(file, is);
      }
      const presence = await servicePresence(git, commit.parents[0] ?? null, commit.sha, tenantEnvironmentDir(dir.ref.tenant, dir.ref.environment), dir.files);
      jobs.push({ i, dir, before, after, presence });
    }
  }
  const inputs = jobs.map(({ before, after, presence }) => ({ before, after, textDiffs: false, services: servicesOnEachSide(presence) }));
  const size = Math.ceil(inputs.length / backend.compute.parallelism);
  const parts = Array.from({ length: Math.ceil(inputs.length / size) }, (_, k) => inputs.slice(k * size, (k + 1) * size));
  const compared = (await Promise.all(parts.map((part) => runCompute(backend.compute, 'compareFileSets', part)))).flat();
  return Promise.all(
    jobs.map(async ({ i, dir, presence }, j) => {
      const diff = compared[j]!;
      const commit = commits[i]!;
      // Services only their `services.<name>` variables name: whether their directory exists says ADDED, REMOVED or MODIFIED.
      for (const entry of diff.services) {
        if (presence.has(entry.service)) continue;
        const dirOf = `${tenantEnvironmentDir(dir.ref.tenant, dir.ref.environment)}/${serviceDir(entry.service)}`;
        const parent = commit.parents[0] ?? null;
        const before = parent !== null && (await git.treeIdOf(parent, dirOf)) !== null;
        const after = (await git.treeIdOf(commit.sha, dirOf)) !== null;
        entry.kind = !before ? 'ADDED' : !after ? 'REMOVED' : 'MODIFIED';
      }
      return { i, dir, diff };
    }),
  );
}

/** The `tenants/<tenant>/<environment>/<file>` paths of a commit's changes, grouped by directory. */
function changedDirectories(changes: TreeDiffEntry[]): ChangedDirectory[] {
  const byDir = new Map<string, ChangedDirectory>();
  for (const change of changes) {
    const [, tenant, environment, ...rest] = change.path.split('/');
    if (!tenant || !environment || rest.length === 0) continue;
    const key = `${tenant}/${environment}`;
    let dir = byDir.get(key);
    if (!dir) byDir.set(key, (dir = { ref: { tenant, environment }, files: [] }));
    dir.files.push({ file: rest.join('/'), oldId: change.oldId, newId: change.newId });
  }
  return [...byDir.values()];
}

/**
 * Whether each service the changed files belong to exists before and after the commit: a changed
 * file present on a side says so; otherwise its directory is looked up.
 */
async function servicePresence(
  git: GitRepository,
  parent: string | null,
  sha: string,
  dir: string,
  files: ChangedDirectory['files'],
): Promise<ServicePresence> {
  const presence: ServicePresence = new Map();
  for (const { file, oldId, newId } of files) {
    // A manifest belongs to its service too, but only the service's directory says it exists.
    const service = serviceOfPath(file);
    if (!service) continue;
    const own = file.startsWith(`${serviceDir(service)}/`);
    const known = presence.get(service) ?? { before: false, after: false };
    presence.set(service, { before: known.before || (own && oldId !== null), after: known.after || (own && newId !== null) });
  }
  for (const [service, known] of presence) {
    if (!known.before && parent) known.before = (await git.treeIdOf(parent, `${dir}/${serviceDir(service)}`)) !== null;
    if (!known.after) known.after = (await git.treeIdOf(sha, `${dir}/${serviceDir(service)}`)) !== null;
  }
  return presence;
}

type ServicePresence = Map<string, { before: boolean; after: boolean }>;

function servicesOnEachSide(presence: ServicePresence): ServicesOnEachSide {
  const on = (side: 'before' | 'after') => [...presence].filter(([, present]) => present[side]).map(([service]) => service);
  return { before: on('before'), after: on('after') };
}

/** The tenant-environments of the directories a batch changed, registered when new (a push may add them). */
class TenantEnvironmentsByDirectory {
  private readonly known = new Map<string, Promise<{ id: string; ref: TenantEnvironmentRef }>>();
  constructor(
    private readonly backend: Backend,
    private readonly project: Project,
  ) {}

  get(dir: { tenant: string; environment: string }): Promise<{ id: string; ref: TenantEnvironmentRef }> {
    const key = `${dir.tenant}/${dir.environment}`;
    let found = this.known.get(key);
    if (!found) {
      const ref = { project: this.project.slug, ...dir };
      found = this.backend.stores.tenantEnvironments
        .bySlugs(ref)
        .then(async (te) => ({ id: te?.id ?? (await registerTenantEnvironment(this.backend, this.project.id, dir.tenant, dir.environment)), ref }));
      this.known.set(key, found);
    }
    return found;
  }
}

/** The tenant-environment of these slugs (created with its tenant and environment when missing). */
export async function registerTenantEnvironment(backend: Backend, projectId: string, tenant: string, environment: string): Promise<string> {
  return backend.transact(({ stores }) =>
    stores.tenantEnvironments.ensure(projectId, tenant, environment, { tenant: newId('ten'), environment: newId('env'), tenantEnvironment: newId('te') }),
  );
}

/** The users and requests a batch of commits names, each looked up once. */
export class Lookups {
  private readonly users = new Map<string, Promise<string | null>>();
  private readonly requests = new Map<string, Promise<string | null>>();
  constructor(private readonly stores: ReadStores) {}

  userIdByEmail(email: string): Promise<string | null> {
    if (!this.users.has(email)) this.users.set(email, this.stores.users.byEmail(email).then((user) => user?.id ?? null));
    return this.users.get(email)!;
  }

  existingRequest(id: string): Promise<string | null> {
    if (!this.requests.has(id)) this.requests.set(id, this.stores.requests.byId(id).then((request) => request?.id ?? null));
    return this.requests.get(id)!;
  }
}
