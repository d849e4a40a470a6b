/**
 * Two instances (two apps with their own connection pools, on one PostgreSQL database and one
 * repositories directory) indexing the same pushed commits at the same moment: each commit gets one
 * position and each deployment one row, as if one instance had indexed them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { indexHistory } from '../../src/domain/history/index-history';
import { createTestApp, openTestApp, type TestApp } from '../kit/app';
import { countRows } from '../kit/db';
import { git } from '../kit/git-cli';
import { fileAt, pushWithGitCli, STAGING, teDir } from '../history/helpers';

let apps: { a: TestApp; b: TestApp } | null = null;
afterEach(async () => {
  // The second app shares the first one's data directory and database: it only closes its pools.
  await apps?.b.app.stopServices();
  await apps?.a.close();
  apps = null;
});

describe('history indexing on two instances at once', () => {
  it('indexes each pushed commit once: positions, deployments and change rows as one instance would', async () => {
    const a = await createTestApp();
    const b = openTestApp(a.dataDir, a.credentials);
    apps = { a, b };
    const file = `${teDir(STAGING)}/services/checkout/values.yaml`;
    for (let i = 0; i < 12; i++) pushWithGitCli(a, { [file]: fileAt(a, 'main', file).replace(/tag: v[\d.]+/, `tag: v4.0.${i}`) }, `checkout v4.0.${i}`);
    const project = (await a.app.backend.stores.projects.bySlug('shop'))!;
    const before = await countRows(a, 'deployments');

    await Promise.all([indexHistory(a.app.backend, project), indexHistory(b.app.backend, project), indexHistory(a.app.backend, project), indexHistory(b.app.backend, project)]);

    expect(await countRows(a, 'indexed_commits')).toBe(Number(git(a.repoDir, ['rev-list', '--count', 'main'])));
    expect(await countRows(a, 'deployments')).toBe(before + 12);
    const [duplicates] = await a.app.database.query('select count(*) as n from (select revision from deployments group by tenant_environment_id, revision having count(*) > 1) d');
    expect(Number(duplicates!.n)).toBe(0);
    const positions = (await a.app.database.query('select sequence from indexed_commits order by sequence')).map((r) => Number(r.sequence));
    expect(positions).toEqual(positions.map((_, i) => i + 1));
  });
});
