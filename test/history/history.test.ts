import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexHistory } from '../../src/domain/history/index-history';
import { git } from '../kit/git-cli';
import { createTestApp, type TestApp } from '../kit/app';
import { failure, ok } from '../kit/client';
import { DeploymentsDocument, DeployReleaseDocument } from '../kit/documents/history';
import { PROD, STAGING, fileAt, head, pushWithGitCli, teDir } from './helpers';

type Te = { tenant: string; environment: string };

describe('deployment history', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const page = async (te: Te, first?: number, after?: string | null) =>
    ok(await t.gql('DEPLOYER', DeploymentsDocument, { ...te, first, after })).tenantEnvironment!.deployments;
  const gitHistory = (te: Te) => git(t.repoDir, ['rev-list', 'main', '--', teDir(te)]).split('\n');
  const release = async (te: Te, service: string, path: string, value: unknown) =>
    ok(
      await t.gql('DEPLOYER', DeployReleaseDocument, {
        input: { project: 'shop', ...te, services: [{ service, setFields: [{ path, value }] }] },
      }),
    ).deployRelease;

  it('lists every commit that touched the tenant-environment, newest first, like git log', async () => {
    for (const te of [PROD, STAGING, { tenant: 'globex', environment: 'production' }]) {
      const all = await page(te, 100);
      expect(all.edges.map((e) => e.node.revision)).toEqual(gitHistory(te));
      expect(all.pageInfo.hasNextPage).toBe(false);
    }
  });

  it('gives each entry its revision, timestamp, author, generated changes, source and status', async () => {
    const entries = (await page(PROD, 100)).edges.map((e) => e.node);
    for (const entry of entries) {
      const [sha, committed, name, email] = git(t.repoDir, ['show', '-s', '--format=%H%n%cI%n%an%n%ae', entry.revision]).split('\n');
      expect(entry.revision).toBe(sha);
      expect(entry.shortRevision).toBe(sha!.slice(0, 7));
      expect(new Date(entry.timestamp).getTime()).toBe(new Date(committed!).getTime());
      expect(entry.author).toMatchObject({ name, email });
      expect(entry.status).toBe('SUCCESS');
      expect(entry.changes.length).toBeGreaterThan(0);
      const changed = git(t.repoDir, ['diff', '--name-only', `${entry.revision}^`, entry.revision, '--', teDir(PROD)])
        .split('\n')
        .map((p) => p.slice(teDir(PROD).length + 1));
      // The very first commit has no parent; every later one lists exactly the files git shows.
      if (entry !== entries.at(-1)) expect(entry.changedFiles).toEqual(changed);
    }
    const changes = entries.flatMap((e) => e.changes);
    expect(changes).toContain('api-gateway: image.tag v2.0.8 → v2.0.9');
    expect(changes).toContain('api-gateway: image.tag v2.0.9 → v2.1.0');
    expect(changes).toContain('checkout: replicas 3 → 5');
    expect(changes).toContain('variables: LOG_FORMAT json → text');
    // The first commit of the tenant-environment: one line per service and per environment-level file.
    expect(entries.at(-1)!.changes).toEqual([
      'api-gateway: service added',
      'catalog: service added',
      'checkout: service added',
      'payments: service added',
      'environment.yaml added',
      'variables.yaml added',
    ]);
    const promotion = entries.find((e) => e.source === 'PROMOTION')!;
    expect(promotion.changes).toEqual(['catalog: image.tag v5.0.0 → v5.1.0']);
    expect(entries.filter((e) => e.source === 'RELEASE').length).toBe(entries.length - 1);
    // Authors that are Backtrack users link to them.
    expect(entries[0]!.author.user?.email).toBe('dana.deployer@acme.example.com');
    expect(entries.at(-1)!.author.user?.email).toBe('ada.admin@acme.example.com');
  });

  it('pages newest first with cursors, stable when deployments land between pages', async () => {
    const te = { tenant: 'globex', environment: 'staging' };
    const expected = gitHistory(te);
    expect(expected.length).toBeGreaterThanOrEqual(6);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const current = await page(te, 2, after);
      expect(current.edges.length).toBeLessThanOrEqual(2);
      expect(current.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...current.edges.map((e) => e.node.revision));
      pages++;
      if (pages === 1) {
        // Two releases and a commit pushed with git land while the client is paging.
        await release(te, 'search', 'replicas', 2);
        pushWithGitCli(t, { [`${teDir(te)}/services/notifications/bindings.yaml`]: 'kustomize:\n  base: bases/worker\nmanifests: []\n' }, 'tweak bindings');
        await release(te, 'notifications', 'image.tag', 'v1.3.1');
      }
      if (!current.pageInfo.hasNextPage) break;
      expect(current.pageInfo.endCursor).toBe(current.edges.at(-1)!.cursor);
      after = current.pageInfo.endCursor!;
    }
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 2));
    // A fresh first page shows the three new ones on top.
    const fresh = await page(te, 3);
    expect(fresh.edges.map((e) => e.node.revision)).toEqual(gitHistory(te).slice(0, 3));
    expect(gitHistory(te).slice(3)).toEqual(expected);
  });

  it('returns an empty page for first: 0 and refuses bad paging arguments', async () => {
    const empty = await page(PROD, 0);
    expect(empty.edges).toEqual([]);
    expect(empty.pageInfo.hasNextPage).toBe(true);
    for (const [variables, code] of [
      [{ first: 101 }, 'INVALID_PAGE_SIZE'],
      [{ first: -1 }, 'INVALID_PAGE_SIZE'],
      [{ first: 2, after: 'not-a-cursor' }, 'INVALID_CURSOR'],
    ] as const) {
      const error = failure(await t.gql('DEPLOYER', DeploymentsDocument, { ...PROD, ...variables }));
      expect(error.extensions.code).toBe(code);
    }
  });

  it('shows a commit pushed with the git CLI (plumbing) after the next read, as a RELEASE by its author', async () => {
    const path = `${teDir(PROD)}/services/payments/values.yaml`;
    const values = fileAt(t, 'main', path).replace('tag: v1.5.0', 'tag: v1.5.1');
    const sha = pushWithGitCli(t, { [path]: values }, 'payments 1.5.1 (hotfix pushed by hand)');
    expect(head(t)).toBe(sha);

    const newest = (await page(PROD, 1)).edges[0]!.node;
    expect(newest).toMatchObject({
      revision: sha,
      source: 'RELEASE',
      status: 'SUCCESS',
      changes: ['payments: image.tag v1.5.0 → v1.5.1'],
      changedFiles: ['services/payments/values.yaml'],
      author: { name: 'Casey CLI', email: 'casey@tools.example.com', user: null },
    });
    // Other tenant-environments did not get an entry for it.
    expect((await page(STAGING, 1)).edges[0]!.node.revision).not.toBe(sha);
  });

  it('records a pushed commit in each tenant-environment it touches, and not for files outside tenants/', async () => {
    const globexProd = { tenant: 'globex', environment: 'production' };
    const sha = pushWithGitCli(
      t,
      {
        [`${teDir(STAGING)}/environment.yaml`]: `${fileAt(t, 'main', `${teDir(STAGING)}/environment.yaml`)}# touched\n`,
        [`${teDir(globexProd)}/services/search/bindings.yaml`]: null,
      },
      'two places at once',
    );
    expect((await page(STAGING, 1)).edges[0]!.node).toMatchObject({ revision: sha, changedFiles: ['environment.yaml'] });
    const globex = (await page(globexProd, 1)).edges[0]!.node;
    expect(globex.revision).toBe(sha);
    expect(globex.changedFiles).toEqual(['services/search/bindings.yaml']);
    expect(globex.changes.join('\n')).toMatch(/search: /);

    const outside = pushWithGitCli(t, { 'README.md': '# shop config\n' }, 'docs only');
    for (const te of [PROD, STAGING, globexProd]) {
      expect((await page(te, 5)).edges.map((e) => e.node.revision)).not.toContain(outside);
    }
  });

  it('stays readable when the last indexed commit is gone from the repository (restored or rewritten), without duplicates', async () => {
    await t.app.database.query('update projects set indexed_sha = ?', ['deadbeef'.repeat(5)]);
    const path = `${teDir(STAGING)}/services/checkout/values.yaml`;
    const sha = pushWithGitCli(t, { [path]: fileAt(t, 'main', path).replace('tag: v3.4.1', 'tag: v3.4.2') }, 'checkout 3.4.2');
    // Served at once from what is indexed (the history is indexed again from the root meanwhile), never twice.
    const first = (await page(STAGING, 100)).edges.map((e) => e.node.revision);
    expect(new Set(first).size).toBe(first.length);
    await indexHistory(t.app.backend, (await t.app.backend.stores.projects.bySlug('shop'))!);
    const all = await page(STAGING, 100);
    expect(all.edges[0]!.node.revision).toBe(sha);
    expect(all.edges.map((e) => e.node.revision)).toEqual(gitHistory(STAGING));
    // And the API's own write path records its deployment again.
    const deployment = await release(STAGING, 'checkout', 'replicas', 3);
    expect((await page(STAGING, 1)).edges[0]!.node.id).toBe(deployment.id);
  });
});

