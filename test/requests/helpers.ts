/** Shared steps of the rollback request tests: demo targets and requests, users made for a test, Git and DB pokes. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createOrganization, createProject, createUser, createUserToken, grantRole } from '../../src/domain/admin';
import type { FeatureFlag, Plan, Role } from '../../src/domain/model';
import { git } from '../kit/git-cli';
import type { TestApp } from '../kit/app';
import { call, ok, type Caller } from '../kit/client';
import { allAuditEvents, countRows } from '../kit/db';
import { DeployReleaseDocument } from '../kit/documents/history';
import { RequestRollbackDocument, ReviewDocument, RollbackRequestDocument } from '../kit/documents/rollbacks';
import { TenantEnvironmentDocument } from '../kit/documents/workspace';

export const ALL_FLAGS: FeatureFlag[] = ['basic_rollback', 'rollback', 'selective_rollback', 'rollback_approval'];
export const PROD = { project: 'shop', tenant: 'acme', environment: 'production' } as const;
export const STAGING = { project: 'shop', tenant: 'acme', environment: 'staging' } as const;
export const EMAIL = {
  DEPLOYER: 'dana.deployer@acme.example.com',
  APPROVER: 'alex.approver@acme.example.com',
  APPROVER2: 'blake.approver@acme.example.com',
  ADMIN: 'ada.admin@acme.example.com',
} as const;

export async function deploymentsOf(t: TestApp, where: { project: string; tenant: string; environment: string } = PROD) {
  const data = ok(await t.gql('DEPLOYER', TenantEnvironmentDocument, where));
  const te = data.tenantEnvironment!;
  return { id: te.id, head: te.headRevision!, deployments: te.deployments.edges.map((e) => e.node) };
}

/** The revision just before the head: on acme/production, the last one before the bad tag v2.1.1-rc0. */
export async function previousRevision(t: TestApp, where: { project: string; tenant: string; environment: string } = PROD): Promise<string> {
  return (await deploymentsOf(t, where)).deployments[1]!.revision;
}

/** On acme/staging: the revision before api-gateway v2.1.0 (its tag there is v2.0.9). */
export async function stagingTagTarget(t: TestApp): Promise<string> {
  const { deployments } = await deploymentsOf(t, STAGING);
  const index = deployments.findIndex((d) => d.changes.some((c) => c.includes('api-gateway: image.tag') && c.includes('→ v2.1.0')));
  return deployments[index + 1]!.revision;
}

export const TAG_FIELD = [{ file: 'values.yaml', path: 'image.tag' }];

/** A FIELD rollback of api-gateway's image.tag, the demo incident's fix. */
export function tagRollback(targetSha: string, where: { project: string; tenant: string; environment: string } = PROD, justification = 'Bad image tag v2.1.1-rc0 causing 500 errors') {
  return {
    input: {
      rollback: { ...where, mode: 'FIELD' as const, targetSha, service: 'api-gateway', fields: TAG_FIELD },
      justification,
    },
  };
}

export async function requestTagRollback(t: TestApp, caller: Caller = 'DEPLOYER', where: { project: string; tenant: string; environment: string } = PROD) {
  const target = await previousRevision(t, where);
  return ok(await call(t, caller, RequestRollbackDocument, tagRollback(target, where))).requestRollback;
}

/** A request as the API shows it to the DEPLOYER. */
export async function requestOf(t: TestApp, id: string) {
  return ok(await t.gql('DEPLOYER', RollbackRequestDocument, { id })).rollbackRequest!;
}

export function review(t: TestApp, caller: Caller, id: string, decision: 'APPROVE' | 'REJECT', comment?: string) {
  return call(t, caller, ReviewDocument, { input: { id, decision, comment } });
}

export async function release(t: TestApp, where: { project: string; tenant: string; environment: string }, service: string, tag: string) {
  return ok(
    await t.gql('DEPLOYER', DeployReleaseDocument, {
      input: { ...where, description: `${service} ${tag}`, services: [{ service, setFields: [{ file: 'values.yaml', path: 'image.tag', value: tag }] }] },
    }),
  ).deployRelease.revision;
}

export async function setOrganization(t: TestApp, plan: Plan, featureFlags: FeatureFlag[]): Promise<void> {
  await t.app.database.query('update organizations set plan = ?, feature_flags = ? where slug = ?', [plan, JSON.stringify(featureFlags), 'acme-corp']);
}

export async function shopProjectId(t: TestApp): Promise<string> {
  return (await t.app.backend.stores.projects.bySlug('shop'))!.id;
}

/** A new user with a token: a member of shop with `role`, or of a brand new project of another organization. */
export async function makeUser(t: TestApp, role: Role, where: 'shop' | 'elsewhere', name = `${role.toLowerCase()}-${where}`) {
  const backend = t.app.backend;
  let projectId: string;
  if (where === 'shop') {
    projectId = await shopProjectId(t);
  } else {
    const organizationId = await createOrganization(backend, { slug: `org-${name}`, name: `Org ${name}`, plan: 'ENTERPRISE', featureFlags: ALL_FLAGS });
    projectId = (await createProject(backend, { organizationId, slug: `prj-${name}`, name: `Project ${name}` })).id;
  }
  const email = `${name}@example.com`;
  const userId = await createUser(backend, { email, name });
  await grantRole(backend, { userId, projectId, role });
  const { token } = await createUserToken(backend, userId, 'test token');
  return { userId, email, projectId, token, caller: { token } as Caller };
}

export async function counts(t: TestApp) {
  return {
    audit: await countRows(t, 'audit_events'),
    requests: await countRows(t, 'rollback_requests'),
    reviews: await countRows(t, 'rollback_reviews'),
    head: git(t.repoDir, ['rev-parse', 'refs/heads/main']),
  };
}

/** Audit rows, oldest first, optionally for one target. */
export async function auditRows(t: TestApp, targetId?: string) {
  const rows = await allAuditEvents(t, await shopProjectId(t));
  return targetId ? rows.filter((r) => r.targetId === targetId) : rows;
}

export function commitMessage(t: TestApp, sha: string): string {
  return git(t.repoDir, ['log', '-1', '--format=%B', sha]);
}

/** Commits on main whose message carries `Rollback Request ID: <id>`. */
export function rollbackCommitsFor(t: TestApp, requestId: string): string[] {
  const out = git(t.repoDir, ['log', '--format=%H', '--fixed-strings', `--grep=Rollback Request ID: ${requestId}`, 'refs/heads/main']);
  return out ? out.split('\n') : [];
}

export function fileAt(t: TestApp, rev: string, file: string): string {
  return git(t.repoDir, ['show', `${rev}:${file}`]);
}

export const API_GATEWAY_VALUES = 'tenants/acme/production/services/api-gateway/values.yaml';

/**
 * Another tool pushes a commit straight into the hosted repository with the git CLI (plumbing on a
 * temporary index), changing one file; main moves by compare-and-swap like any push.
 */
export function pushWithGitCli(t: TestApp, file: string, edit: (content: string) => string, message = 'hotfix pushed by another tool'): string {
  const head = git(t.repoDir, ['rev-parse', 'refs/heads/main']);
  const content = edit(git(t.repoDir, ['show', `${head}:${file}`]) + '\n');
  const blob = git(t.repoDir, ['hash-object', '-w', '--stdin'], { input: content });
  const indexDir = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-index-'));
  try {
    const env = { GIT_INDEX_FILE: path.join(indexDir, 'index') };
    git(t.repoDir, ['read-tree', head], { env });
    git(t.repoDir, ['update-index', '--cacheinfo', `100644,${blob},${file}`], { env });
    const tree = git(t.repoDir, ['write-tree'], { env });
    const commit = git(t.repoDir, ['commit-tree', tree, '-p', head, '-m', message]);
    git(t.repoDir, ['update-ref', 'refs/heads/main', commit, head]);
    return commit;
  } finally {
    fs.rmSync(indexDir, { recursive: true, force: true });
  }
}

/** Moves the app's clock forward (break-glass expiry, the insights window). */
export function advanceClock(t: TestApp, ms: number): void {
  const base = t.app.backend.now;
  t.app.backend.now = () => new Date(base().getTime() + ms);
}

export const MINUTE = 60_000;
