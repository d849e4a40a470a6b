/**
 * A database from before the history index (its tables empty after the migration, deployments
 * numbered per tenant-environment the old way) is indexed on its first start: every commit gets
 * its position, deployments keep their ids and take their commit's position, and the field changes
 * are what indexing a fresh database records. Readers are served meanwhile.
 */
import { describe, expect } from 'vitest';
import { indexHistory } from '../../src/domain/history/index-history';
import { openTestApp } from '../kit/app';
import { ok } from '../kit/client';
import { DeploymentsDocument } from '../kit/documents/history';
import { it } from '../kit/fixtures';
import { git } from '../kit/git-cli';
import { STAGING, pushWithGitCli, fileAt, teDir } from './helpers';

const DEPLOYMENTS = 'select id, tenant_environment_id, revision, sequence from deployments order by id';
const CHANGES = 'select deployment_id, tenant_environment_id, sequence, file, level, path from deployment_changes order by deployment_id, file, level, path';
const COMMITS = 'select sha, sequence, merge from indexed_commits order by sequence';

describe('history index backfill', () => {
  it('indexes an existing database on its first start: same deployments, commit positions, the same field changes', async ({ t }) => {
    // More history than one batch's worth of commits would be slow to build; pushes behind the API suffice.
    const path = `${teDir(STAGING)}/services/checkout/values.yaml`;
    for (const tag of ['v3.4.2', 'v3.4.3', 'v3.4.4']) pushWithGitCli(t, { [path]: fileAt(t, 'main', path).replace(/tag: v[\d.]+/, `tag: ${tag}`) }, `checkout ${tag}`);
    const project = (await t.app.backend.stores.projects.bySlug('shop'))!;
    await indexHistory(t.app.backend, project);
    const fresh = {
      deployments: await t.app.database.query(DEPLOYMENTS),
      changes: await t.app.database.query(CHANGES),
      commits: await t.app.database.query(COMMITS),
    };
    expect(fresh.commits).toHaveLength(Number(git(t.repoDir, ['rev-list', '--count', 'main'])));
    expect(fresh.changes.length).toBeGreaterThan(fresh.deployments.length);

    // As the migration leaves a database of the previous release: no index rows, per-TE numbering.
    await t.app.database.query('delete from deployment_changes');
    await t.app.database.query('delete from indexed_commits');
    await t.app.database.query(
      t.app.database.dialect === 'postgres'
        ? 'update deployments d set sequence = -n.n from (select id, row_number() over (order by ctid) as n from deployments) n where n.id = d.id'
        : 'update deployments set sequence = -rowid',
    );
    await t.app.stopServices();

    const restarted = openTestApp(t.dataDir, t.credentials);
    try {
      await restarted.listen();
      // Served while the start's indexing runs (or once it is done): never an error.
      const served = ok(await restarted.gql('DEPLOYER', DeploymentsDocument, { ...STAGING, first: 100 })).tenantEnvironment!.deployments;
      expect(served.edges.length).toBeGreaterThan(0);
      await indexHistory(restarted.app.backend, project);

      expect(await restarted.app.database.query(COMMITS)).toEqual(fresh.commits);
      expect(await restarted.app.database.query(DEPLOYMENTS)).toEqual(fresh.deployments);
      expect(await restarted.app.database.query(CHANGES)).toEqual(fresh.changes);
      const history = ok(await restarted.gql('DEPLOYER', DeploymentsDocument, { ...STAGING, first: 100 })).tenantEnvironment!.deployments;
      expect(history.edges.map((e) => e.node.revision)).toEqual(git(t.repoDir, ['rev-list', 'main', '--', teDir(STAGING)]).split('\n'));
    } finally {
      await restarted.app.stop();
    }
  });
});

describe('indexing a big pushed history', () => {
  it('goes in batches: readers are answered from what is indexed while it runs, and see everything after', async ({ t }) => {
    const path = `${teDir(STAGING)}/services/checkout/values.yaml`;
    const original = fileAt(t, 'main', path);
    const parent = git(t.repoDir, ['rev-parse', 'main']);
    const commits = 1000;
    const stream: string[] = [];
    for (let i = 1; i <= commits; i++) {
      const text = original.replace(/tag: v[\d.]+/, `tag: v9.0.${i}`);
      stream.push(`commit refs/heads/main\ncommitter Pusher <pusher@example.com> ${1_700_000_000 + i} +0000\ndata 10\ncheckout ${i % 10}\n`);
      if (i === 1) stream.push(`from ${parent}\n`);
      stream.push(`M 100644 inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`);
    }
    git(t.repoDir, ['fast-import', '--quiet'], { input: stream.join('') });

    const count = async (sql: string) => Number(((await t.app.database.query(sql)) as Array<{ n: number }>)[0]!.n);
    const total = Number(git(t.repoDir, ['rev-list', '--count', 'main']));
    const served = ok(await t.gql('DEPLOYER', DeploymentsDocument, { ...STAGING, first: 5 })).tenantEnvironment!.deployments;
    const indexedWhenServed = await count('select count(*) as n from indexed_commits');
    expect(indexedWhenServed).toBeLessThan(total);
    expect(served.edges.length).toBeGreaterThan(0);

    const project = (await t.app.backend.stores.projects.bySlug('shop'))!;
    await indexHistory(t.app.backend, project);
    expect(await count('select count(*) as n from indexed_commits')).toBe(total);
    const newest = ok(await t.gql('DEPLOYER', DeploymentsDocument, { ...STAGING, first: 1 })).tenantEnvironment!.deployments.edges[0]!.node;
    expect(newest.revision).toBe(git(t.repoDir, ['rev-parse', 'main']));
    expect(newest.changes).toEqual([`checkout: image.tag v9.0.${commits - 1} → v9.0.${commits}`]);
  });
});
