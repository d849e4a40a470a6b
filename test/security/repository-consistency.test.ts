/**
 * Issue 11.2 and the corrupt-object item: a missing main branch is never replaced by an orphan,
 * and a damaged object is reported as such, for its tenant-environment only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { graphql } from '../gql';
import { createTestApp, openTestApp, type TestApp } from '../kit/app';
import { copyDataDir } from '../kit/template';
import { capturingLogger } from '../kit/logs';
import { expectError, ok } from '../kit/client';
import { DeployReleaseDocument } from '../kit/documents/history';
import { git } from '../kit/git-cli';
import { STAGING } from '../requests/helpers';

const RepositoryHealthDocument = graphql(`
  query SecurityRepositoryHealth {
    project(slug: "shop") {
      repositoryHealth {
        status
        message
        head
        recordedHead
      }
    }
  }
`);

const HistoryHeadDocument = graphql(`
  query SecurityHistoryHead($tenant: String!, $environment: String!) {
    tenantEnvironment(project: "shop", tenant: $tenant, environment: $environment) {
      headRevision
      services
      deployments(first: 1) {
        edges {
          node {
            revision
          }
        }
      }
    }
  }
`);

const newService = {
  input: {
    ...STAGING,
    description: 'a new service',
    services: [{ service: 'reports', replaceFiles: [{ file: 'values.yaml', content: 'image:\n  repository: reports\n  tag: v1.0.0\nreplicas: 1\n' }] }],
  },
};

describe('main deleted by hand (git push origin :main)', () => {
  let t: TestApp;
  const capture = capturingLogger();
  beforeEach(async () => {
    t = await createTestApp({ logger: capture.logger });
  });
  afterEach(() => t.close());

  it('a write is refused with REPOSITORY_INCONSISTENT naming the ref and the expected head; no orphan root is created', async () => {
    const head = git(t.repoDir, ['rev-parse', 'main']);
    const commits = Number(git(t.repoDir, ['rev-list', '--count', 'main']));
    expect(ok(await t.gql('ADMIN', RepositoryHealthDocument)).project!.repositoryHealth).toMatchObject({ status: 'HEALTHY', head, recordedHead: head });
    git(t.repoDir, ['update-ref', '-d', 'refs/heads/main']);

    const error = expectError(await t.gql('DEPLOYER', DeployReleaseDocument, newService), { code: 'REPOSITORY_INCONSISTENT', status: 500 });
    expect(error.message).toContain('refs/heads/main');
    expect(error.message).toContain(head);
    expect(error.extensions).toMatchObject({ expectedHead: head, ref: 'refs/heads/main' });
    // Nothing written: main is still absent, and no parent-less commit holds the new service.
    expect(() => git(t.repoDir, ['rev-parse', '--verify', '-q', 'refs/heads/main'])).toThrow();
    const health = ok(await t.gql('ADMIN', RepositoryHealthDocument)).project!.repositoryHealth;
    expect(health).toMatchObject({ status: 'BRANCH_MISSING', head: null, recordedHead: head });
    expect(health.message).toContain(`git update-ref refs/heads/main ${head}`);
    // Logged for the operator, at error level.
    expect(capture.lines.some((line) => line.level === 50 && line.code === 'REPOSITORY_INCONSISTENT')).toBe(true);

    // Restoring the branch is all it takes; history is whole again.
    git(t.repoDir, ['update-ref', 'refs/heads/main', head]);
    const release = ok(await t.gql('DEPLOYER', DeployReleaseDocument, newService)).deployRelease;
    expect(git(t.repoDir, ['rev-parse', `${release.revision}^`])).toBe(head);
    expect(Number(git(t.repoDir, ['rev-list', '--count', 'main']))).toBe(commits + 1);
    expect(ok(await t.gql('ADMIN', RepositoryHealthDocument)).project!.repositoryHealth.status).toBe('HEALTHY');
  });

  it('a restart does not accept it either; the instance stays ready for other projects', async () => {
    git(t.repoDir, ['update-ref', '-d', 'refs/heads/main']);
    t = await restarted(t);
    const url = await t.listen();
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    expectError(await t.gql('DEPLOYER', DeployReleaseDocument, newService), { code: 'REPOSITORY_INCONSISTENT', status: 500 });
    expect(ok(await t.gql('ADMIN', RepositoryHealthDocument)).project!.repositoryHealth.status).toBe('BRANCH_MISSING');
  });

  it('reports rewritten history', async () => {
    const head = git(t.repoDir, ['rev-parse', 'main']);
    git(t.repoDir, ['update-ref', 'refs/heads/main', `${head}~3`]);
    const health = ok(await t.gql('ADMIN', RepositoryHealthDocument)).project!.repositoryHealth;
    expect(health).toMatchObject({ status: 'HISTORY_REWRITTEN', recordedHead: head });
  });
});

describe('a corrupt object', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  it('reads as REPOSITORY_CORRUPT naming the tenant-environment; the others keep working', async () => {
    // A release writes loose objects; damage the new values.yaml blob of acme/staging.
    ok(await t.gql('DEPLOYER', DeployReleaseDocument, { input: { ...STAGING, services: [{ service: 'checkout', setFields: [{ file: 'values.yaml', path: 'replicas', value: 7 }] }] } }));
    const blob = git(t.repoDir, ['rev-parse', 'main:tenants/acme/staging/services/checkout/values.yaml']);
    const file = path.join(t.repoDir, 'objects', blob.slice(0, 2), blob.slice(2));
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, 'corrupted');
    // As after a restart: nothing of this revision is remembered from writing it.
    t = await restarted(t);

    const broken = await t.gql('DEPLOYER', HistoryHeadDocument, { tenant: 'acme', environment: 'staging' });
    const error = expectError(broken, { code: 'REPOSITORY_CORRUPT', status: 500 });
    expect(error.message).toMatch(/tenants\/acme\/staging/);
    expect(error.extensions).toMatchObject({ tenant: 'acme', environment: 'staging' });
    const fine = ok(await t.gql('DEPLOYER', HistoryHeadDocument, { tenant: 'acme', environment: 'production' })).tenantEnvironment!;
    expect(fine.services).toContain('api-gateway');
  });
});

/** The app's data, opened by a new app (as a restarted server would); the old one is closed. */
async function restarted(previous: TestApp): Promise<TestApp> {
  await previous.app.stopServices();
  // With its database, on PostgreSQL.
  const copy = copyDataDir(previous.dataDir);
  fs.rmSync(previous.dataDir, { recursive: true, force: true });
  return openTestApp(copy, previous.credentials);
}
