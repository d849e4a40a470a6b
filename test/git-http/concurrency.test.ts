/**
 * Consistency while writing: 20 clones at once (then a fetch each) over Git HTTP while 10 releases
 * and rollbacks commit through the GraphQL API. Every clone holds a complete history `git fsck`
 * accepts, its main is a commit of the final history, and every write completes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../kit/git-cli';
import { createTestApp, tempDir, type TestApp } from '../kit/app';
import { DeployReleaseDocument, HistoryDocument, RequestRollbackDocument } from './documents';
import { basicUrl, bearerConfig, data, gitOk, plainUrl } from './helpers';

const CLONES = 20;
const WRITES = 10;
const STAGING = { project: 'shop', tenant: 'acme', environment: 'staging' };

let t: TestApp;
let base: string;
let work: string;

beforeAll(async () => {
  t = await createTestApp({ env: { GIT_HTTP_MAX_CONCURRENCY: String(CLONES), GIT_HTTP_QUEUE: String(CLONES) } });
  base = await t.listen();
  work = tempDir('backtrack-git-concurrency-');
});

afterAll(async () => {
  await t?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Alternately a release of checkout's image tag and a FIELD rollback of it to the revision before (staging needs no approval). */
async function write(i: number): Promise<string> {
  if (i % 2 === 0) {
    const input = { ...STAGING, description: `checkout v9.${i}`, services: [{ service: 'checkout', setFields: [{ file: 'values.yaml', path: 'image.tag', value: `v9.0.${i}` }] }] };
    return data(await t.gql('DEPLOYER', DeployReleaseDocument, { input })).deployRelease.revision;
  }
  const target = data(await t.gql('DEPLOYER', HistoryDocument, STAGING)).tenantEnvironment!.deployments.edges[1]!.node.revision;
  const request = data(
    await t.gql('DEPLOYER', RequestRollbackDocument, {
      input: {
        rollback: { ...STAGING, mode: 'FIELD', service: 'checkout', targetSha: target, fields: [{ file: 'values.yaml', path: 'image.tag' }] },
        justification: `rollback ${i} while clones run`,
      },
    }),
  ).requestRollback;
  expect(request, JSON.stringify(request)).toMatchObject({ state: 'COMPLETED', error: null });
  return request.resultRevision!;
}

describe('clones while rollbacks commit', () => {
  it(`${CLONES} concurrent clones and fetches while ${WRITES} releases and rollbacks execute: every clone passes git fsck, every write completes`, async () => {
    const before = git(t.repoDir, ['rev-parse', 'refs/heads/main']);
    let cloning = CLONES;
    const writesDuringClones: number[] = [];
    const writes = (async () => {
      const shas: string[] = [];
      for (let i = 0; i < WRITES; i++) {
        const started = performance.now();
        shas.push(await write(i));
        if (cloning > 0) writesDuringClones.push(performance.now() - started);
      }
      return shas;
    })();
    const clones = Array.from({ length: CLONES }, async (_, i) => {
      const dir = path.join(work, `clone-${i}`);
      // Half over v0 with Basic, half over v2 with a Bearer header.
      const [options, url] =
        i % 2 === 0
          ? [['-c', 'protocol.version=0'], basicUrl(base, 'shop', t.token('DEPLOYER'))]
          : [[...bearerConfig(t.token('APPROVER')), '-c', 'protocol.version=2'], plainUrl(base, 'shop')];
      try {
        await gitOk([...options, 'clone', '--bare', url, dir]);
        const cloned = await gitOk(['--git-dir', dir, 'rev-parse', 'refs/heads/main']);
        await gitOk(['--git-dir', dir, ...options, 'fetch', 'origin', '+refs/heads/*:refs/heads/*']);
        return { dir, cloned, fetched: await gitOk(['--git-dir', dir, 'rev-parse', 'refs/heads/main']) };
      } finally {
        cloning--;
      }
    });
    const [shas, results] = await Promise.all([writes, Promise.all(clones)]);

    expect(shas).toHaveLength(WRITES);
    const after = git(t.repoDir, ['rev-parse', 'refs/heads/main']);
    expect(after).toBe(shas.at(-1));
    expect(writesDuringClones.length, 'writes ran while clones were in flight').toBeGreaterThan(0);
    const history = new Set(git(t.repoDir, ['rev-list', 'refs/heads/main']).split('\n'));
    for (const { dir, cloned, fetched } of results) {
      await gitOk(['--git-dir', dir, 'fsck', '--strict', '--no-dangling']);
      expect(history.has(cloned) && history.has(fetched), `${cloned} / ${fetched} are commits of main`).toBe(true);
      expect(await gitOk(['--git-dir', dir, 'rev-list', '--count', fetched])).toBe(git(t.repoDir, ['rev-list', '--count', fetched]));
    }
    expect(history.has(before)).toBe(true);
    await expect.poll(() => t.app.git.running()).toBe(0);
  });
});
