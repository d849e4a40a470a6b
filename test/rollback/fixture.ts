/**
 * A small real workspace for rollback tests: fresh SQLite + bare repository, an ENTERPRISE
 * organization with every rollback flag, three tenant-environments seeded with the demo files,
 * and helpers to build history (releases, raw commits) and to read the repository with the git CLI.
 */
import { expect } from 'vitest';
import { parseDocument } from 'yaml';
import type { Actor } from '../../src/domain/actor';
import { authenticate } from '../../src/domain/auth';
import { buildApp } from '../../src/app';
import { createOrganization, createProject, createUser, createUserToken, grantRole } from '../../src/domain/admin';
import { commitTenantEnvironmentChange } from '../../src/domain/commit-change';
import { formatCommitMessage } from '../../src/domain/commit-metadata';
import { DomainError } from '../../src/domain/errors';
import { registerTenantEnvironment } from '../../src/domain/history/index-history';
import { requireOpenTenantEnvironment } from '../../src/domain/history/queries';
import type { TenantEnvironment } from '../../src/domain/model';
import type { Backend } from '../../src/domain/ports';
import { deployRelease, type FieldEdit, type ServiceRelease } from '../../src/domain/releases';
import { executeRollback } from '../../src/domain/rollback/execute';
import { previewRollback, type RollbackInput, type RollbackPreview } from '../../src/domain/rollback/preview';
import { demoFiles } from '../../src/domain/seed/demo-files';
import type { FileMap } from '../../src/domain/tenant-environment-files';
import { createLogger } from '../../src/logger';
import { commitWithGitCli } from '../../src/git';
import { git, gitBuffer } from '../kit/git-cli';
import { openTestApp, testConfig, type TestApp } from '../kit/app';
import { copyDataDir, sharedTemplate } from '../kit/template';

export const PROJECT = 'shop';
export const DEPLOYER_EMAIL = 'dana.deployer@acme.example.com';

export interface Fixture {
  t: TestApp;
  backend: Backend;
  repoDir: string;
  deployer: Actor;
  tenantEnvironment(tenant: string, environment: string): Promise<TenantEnvironment>;
  /** A release through the domain; returns the new head SHA. */
  release(tenant: string, environment: string, services: ServiceRelease[], environmentFields?: FieldEdit[]): Promise<string>;
  /** Replaces whole files of a tenant-environment through the domain's write path (manifests regenerated); returns the new head. */
  writeFiles(tenant: string, environment: string, edit: (files: FileMap) => void): Promise<string>;
  /** A commit made by another tool with git plumbing (not through Backtrack); returns the new head. */
  cliCommit(changes: Array<{ path: string; content: string | Buffer | null }>, message?: string): Promise<string>;
  head(): string;
  close(): Promise<void>;
}

const FIXTURE_TENANT_ENVIRONMENTS = [
  ['acme', 'staging'],
  ['acme', 'production'],
  ['globex', 'staging'],
] as const;

/**
 * A small real workspace, built once per run: an ENTERPRISE organization with every rollback flag,
 * one deployer, and three tenant-environments with the demo files.
 */
function fixtureTemplate() {
  return sharedTemplate('rollback-fixture', async (dataDir) => {
    const app = buildApp(testConfig(dataDir), { logger: createLogger('silent') });
    const backend = app.backend;
    const organizationId = await createOrganization(backend, {
      slug: 'acme-corp',
      name: 'Acme Corp',
      plan: 'ENTERPRISE',
      featureFlags: ['basic_rollback', 'rollback', 'selective_rollback', 'rollback_approval'],
    });
    const project = await createProject(backend, { organizationId, slug: PROJECT, name: 'Shop' });
    const userId = await createUser(backend, { email: DEPLOYER_EMAIL, name: 'Dana Deployer' });
    await grantRole(backend, { userId, projectId: project.id, role: 'DEPLOYER' });
    const { token } = await createUserToken(backend, userId, 'test');
    for (const [tenant, environment] of FIXTURE_TENANT_ENVIRONMENTS) {
      const id = await registerTenantEnvironment(backend, project.id, tenant, environment);
      const [tenantEnvironment] = await backend.stores.tenantEnvironments.byIds([id]);
      await commitTenantEnvironmentChange(backend, {
        tenantEnvironment: tenantEnvironment!,
        author: { name: 'Ada Admin', email: 'ada.admin@acme.example.com' },
        message: () => formatCommitMessage({ kind: 'RELEASE', tenantEnvironment: tenantEnvironment!.ref, authorEmail: 'ada.admin@acme.example.com', description: 'Initial configuration' }),
        apply: () => demoFiles(tenant, environment),
      });
    }
    await app.stopServices();
    return { token };
  });
}

export async function createFixture(): Promise<Fixture> {
  const template = await fixtureTemplate();
  const t = openTestApp(copyDataDir(template.dataDir), { users: [], agent: { name: '', token: '' } });
  const backend = t.app.backend;
  const deployer = (await authenticate(backend.stores, template.info.token))!;
  const repoDir = backend.repositories.pathFor(PROJECT);
  const tenantEnvironment = (tenant: string, environment: string) =>
    requireOpenTenantEnvironment(backend, deployer, { project: PROJECT, tenant, environment }, 'DEPLOYER');
  const head = () => git(repoDir, ['rev-parse', 'main']);
  return {
    t,
    backend,
    repoDir,
    deployer,
    tenantEnvironment,
    async release(tenant, environment, serviceReleases, environmentFields) {
      await deployRelease(backend, deployer, { project: PROJECT, tenant, environment, services: serviceReleases, environmentFields });
      return head();
    },
    async writeFiles(tenant, environment, edit) {
      const te = await tenantEnvironment(tenant, environment);
      await commitTenantEnvironmentChange(backend, {
        tenantEnvironment: te,
        author: { name: 'Dana Deployer', email: DEPLOYER_EMAIL },
        message: () => formatCommitMessage({ kind: 'RELEASE', tenantEnvironment: te.ref, authorEmail: DEPLOYER_EMAIL }),
        apply: (current) => {
          const files = new Map(current);
          edit(files);
          return files;
        },
      });
      return head();
    },
    async cliCommit(changes, message = 'Edit from another tool') {
      return commitWithGitCli(repoDir, head(), changes, message, { name: 'Other Tool', email: 'tool@example.com' });
    },
    head,
    close: () => t.close(),
  };
}

export function dirOf(tenant: string, environment: string): string {
  return `tenants/${tenant}/${environment}`;
}

/** `git ls-tree -r` of a revision: path → blob id (mode included), optionally under a directory. */
export function treeEntries(repoDir: string, revision: string, dir?: string): Map<string, string> {
  const out = git(repoDir, ['ls-tree', '-r', '-z', revision, ...(dir ? ['--', dir] : [])]);
  const entries = new Map<string, string>();
  for (const line of out.split('\0')) {
    if (!line) continue;
    const tab = line.indexOf('\t');
    const [mode, , id] = line.slice(0, tab).split(' ');
    entries.set(line.slice(tab + 1), `${mode} ${id}`);
  }
  return entries;
}

/** Paths whose blob differs between two revisions (added, removed or modified). */
export function changedPaths(repoDir: string, from: string, to: string): string[] {
  return git(repoDir, ['diff', '--name-only', '--no-renames', from, to]).split('\n').filter(Boolean).sort();
}

export function show(repoDir: string, revision: string, path: string): string {
  return gitBuffer(repoDir, ['show', `${revision}:${path}`]).toString('utf8');
}

export function showBuffer(repoDir: string, revision: string, path: string): Buffer {
  return gitBuffer(repoDir, ['show', `${revision}:${path}`]);
}

export function commitCount(repoDir: string): number {
  return Number(git(repoDir, ['rev-list', '--count', 'main']));
}

export function rollbackInput(tenant: string, environment: string, rest: Omit<RollbackInput, 'project' | 'tenant' | 'environment'>): RollbackInput {
  return { project: PROJECT, tenant, environment, ...rest };
}

export interface ExecuteOptions {
  justification?: string;
  requestId?: string;
  approval?: string;
  /** Defaults to the preview's own hash; pass null to execute without an expectation. */
  expectedPreviewHash?: string | null;
  /** The head the expected hash was computed on, as a request stores it; defaults to the preview's. */
  baseRevision?: string | null;
}

/** Executes a previewed rollback the way an approved request does. */
export async function execute(fx: Fixture, preview: RollbackPreview, options: ExecuteOptions = {}) {
  return executeRollback(fx.backend, {
    tenantEnvironment: preview.tenantEnvironment,
    scope: preview.scope,
    targetSha: preview.targetRevision,
    expectedPreviewHash: options.expectedPreviewHash === undefined ? preview.previewHash : options.expectedPreviewHash,
    baseRevision: options.baseRevision === undefined ? preview.baseRevision : options.baseRevision,
    requestId: options.requestId ?? 'rbk-test',
    justification: options.justification ?? 'test rollback',
    author: { name: 'Dana Deployer', email: DEPLOYER_EMAIL },
    approval: options.approval ?? 'Not required by the environment policy',
  });
}

/** Preview then execute in one go; returns the rollback commit's SHA. */
export async function rollback(fx: Fixture, input: RollbackInput, options: ExecuteOptions = {}): Promise<string> {
  const preview = await previewRollback(fx.backend, fx.deployer, input);
  return (await execute(fx, preview, options)).sha;
}

/** The DomainError an operation fails with (fails the test when it succeeds or throws something else). */
export async function domainError(work: Promise<unknown>): Promise<DomainError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, but the operation succeeded');
}

/** The tenant-environment's deployments, oldest first. */
export async function deploymentRows(fx: Fixture, tenantEnvironmentId: string) {
  return (await fx.backend.stores.deployments.page(tenantEnvironmentId, Number.MAX_SAFE_INTEGER, 100_000)).reverse();
}

export const tag = (service: string, value: string): ServiceRelease => ({
  service,
  setFields: [{ file: 'values.yaml', path: 'image.tag', value }],
});

export const setField = (service: string, path: string, value: unknown, file = 'values.yaml'): ServiceRelease => ({
  service,
  setFields: [{ file, path, value }],
});

/**
 * The source span of the value at `path`, found with the `yaml` library's own node ranges
 * (independent of the patching code under test).
 */
export function valueSpan(source: string, path: Array<string | number>): [number, number] | null {
  const document = parseDocument(source, { keepSourceTokens: true });
  const node = document.getIn(path, true) as { range?: [number, number, number] } | undefined;
  if (!node || typeof node !== 'object' || !node.range) return null;
  let end = node.range[1];
  // Block collections end after their last line break; compare spans without it.
  while (end > node.range[0] && (source[end - 1] === '\n' || source[end - 1] === '\r')) end -= 1;
  return [node.range[0], end];
}

/**
 * Asserts that `after` is `before` with exactly the value at `path` replaced by `expectedRaw`:
 * every byte outside that value (comments, quoting, blank lines, key order) is unchanged.
 */
export function expectOnlyValueReplaced(before: string, after: string, path: Array<string | number>, expectedRaw: string): void {
  const spanBefore = valueSpan(before, path);
  const spanAfter = valueSpan(after, path);
  expect(spanBefore, `value at ${path.join('.')} before`).not.toBeNull();
  expect(spanAfter, `value at ${path.join('.')} after`).not.toBeNull();
  expect(after.slice(...spanAfter!)).toBe(expectedRaw);
  expect(after.slice(0, spanAfter![0])).toBe(before.slice(0, spanBefore![0]));
  expect(after.slice(spanAfter![1])).toBe(before.slice(spanBefore![1]));
}

/** The bytes that differ between two texts, as the common prefix/suffix leave them. */
export function changedWindow(before: string, after: string): { removed: string; added: string; at: number } {
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix += 1;
  let suffix = 0;
  while (
    suffix < before.length - prefix &&
    suffix < after.length - prefix &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  ) {
    suffix += 1;
  }
  return { removed: before.slice(prefix, before.length - suffix), added: after.slice(prefix, after.length - suffix), at: prefix };
}
