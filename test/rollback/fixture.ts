/**
 * A small real workspace for rollback tests: fresh SQLite + bare repository, an ENTERPRISE
 * organization with every rollback flag, three tenant-environments seeded with the demo files,
 * and helpers to build history (releases, raw commits) and to read the repository with the git CLI.
 */
import { and, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { parseDocument } from 'yaml';
import type { Actor } from '../../src/domain/actor';
import { authenticate, issueToken } from '../../src/domain/auth';
import { createOrganization, createProject, createUser, grantRole } from '../../src/domain/admin';
import { commitTenantEnvironmentChange } from '../../src/domain/commit-change';
import { DomainError } from '../../src/domain/errors';
import { ensureTenantEnvironment, SOURCE_TRAILER } from '../../src/domain/history/index-history';
import { deployRelease, type FieldEdit, type ServiceRelease } from '../../src/domain/releases';
import { executeRollback } from '../../src/domain/rollback/execute';
import { previewRollback, type RollbackInput, type RollbackPreview } from '../../src/domain/rollback/preview';
import { demoFiles } from '../../src/domain/seed/demo-files';
import type { Services } from '../../src/domain/services';
import type { FileMap } from '../../src/domain/tenant-environment-files';
import { requireTenantEnvironment, type TenantEnvironmentContext } from '../../src/domain/workspace';
import { deployments } from '../../src/db/schema';
import { commitWithGitCli } from '../../src/git';
import { git, gitBuffer } from '../helpers/git-cli';
import { createTestApp, type TestApp } from '../helpers/test-app';

export const PROJECT = 'shop';
export const DEPLOYER_EMAIL = 'dana.deployer@acme.example.com';

export interface Fixture {
  t: TestApp;
  services: Services;
  repoDir: string;
  deployer: Actor;
  /** A second process on the same data directory would have its own Services; tests build one with `secondServices`. */
  context(tenant: string, environment: string): Promise<TenantEnvironmentContext>;
  /** A release through the domain; returns the new head SHA. */
  release(tenant: string, environment: string, services: ServiceRelease[], environmentFields?: FieldEdit[]): Promise<string>;
  /** Replaces whole files of a tenant-environment through the domain's write path (manifests regenerated); returns the new head. */
  writeFiles(tenant: string, environment: string, edit: (files: FileMap) => void): Promise<string>;
  /** A commit made by another tool with git plumbing (not through Backtrack); returns the new head. */
  cliCommit(changes: Array<{ path: string; content: string | Buffer | null }>, message?: string): Promise<string>;
  head(): string;
  close(): Promise<void>;
}

export async function createFixture(): Promise<Fixture> {
  const t = await createTestApp({ seed: false });
  const services = t.app.services;
  const organizationId = await createOrganization(services, {
    slug: 'acme-corp',
    name: 'Acme Corp',
    plan: 'ENTERPRISE',
    featureFlags: ['basic_rollback', 'rollback', 'selective_rollback', 'rollback_approval'],
  });
  const project = await createProject(services, { organizationId, slug: PROJECT, name: 'Shop' });
  const userId = await createUser(services, { email: DEPLOYER_EMAIL, name: 'Dana Deployer' });
  await grantRole(services, { userId, projectId: project.id, role: 'DEPLOYER' });
  const { token } = await issueToken(services.db, { userId }, 'test');
  const deployer = (await authenticate(services.db, token))!;
  const repoDir = services.repositories.pathFor(PROJECT);

  const context = (tenant: string, environment: string) =>
    requireTenantEnvironment(services, deployer, { project: PROJECT, tenant, environment }, 'DEPLOYER');

  for (const [tenant, environment] of [
    ['acme', 'staging'],
    ['acme', 'production'],
    ['globex', 'staging'],
  ] as const) {
    await ensureTenantEnvironment(services, project.id, tenant, environment);
    await commitTenantEnvironmentChange(services, {
      context: await context(tenant, environment),
      author: { name: 'Ada Admin', email: 'ada.admin@acme.example.com' },
      message: () => `Release: tenant/${tenant} env/${environment}\n\nInitial configuration\n\n${SOURCE_TRAILER}: RELEASE\n`,
      apply: () => demoFiles(tenant, environment),
    });
  }

  const head = () => git(repoDir, ['rev-parse', 'main']);
  return {
    t,
    services,
    repoDir,
    deployer,
    context,
    async release(tenant, environment, serviceReleases, environmentFields) {
      await deployRelease(services, deployer, { project: PROJECT, tenant, environment, services: serviceReleases, environmentFields });
      return head();
    },
    async writeFiles(tenant, environment, edit) {
      await commitTenantEnvironmentChange(services, {
        context: await context(tenant, environment),
        author: { name: 'Dana Deployer', email: DEPLOYER_EMAIL },
        message: () => `Release: tenant/${tenant} env/${environment}\n\n${SOURCE_TRAILER}: RELEASE\n`,
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
}

/** Executes a previewed rollback the way an approved request does. */
export async function execute(fx: Fixture, preview: RollbackPreview, options: ExecuteOptions = {}) {
  return executeRollback(fx.services, {
    context: preview.context,
    scope: preview.scope,
    targetSha: preview.targetRevision,
    expectedPreviewHash: options.expectedPreviewHash === undefined ? preview.previewHash : options.expectedPreviewHash,
    requestId: options.requestId ?? 'rbk-test',
    justification: options.justification ?? 'test rollback',
    author: { name: 'Dana Deployer', email: DEPLOYER_EMAIL },
    approval: options.approval ?? 'Not required by the environment policy',
  });
}

/** Preview then execute in one go; returns the rollback commit's SHA. */
export async function rollback(fx: Fixture, input: RollbackInput, options: ExecuteOptions = {}): Promise<string> {
  const preview = await previewRollback(fx.services, fx.deployer, input);
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

export async function deploymentRows(fx: Fixture, tenantEnvironmentId: string) {
  return fx.services.db
    .select()
    .from(deployments)
    .where(and(eq(deployments.tenantEnvironmentId, tenantEnvironmentId)))
    .orderBy(deployments.sequence);
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
