/**
 * A field patched through the API in a values.yaml of about 1 MB (pushed with the git CLI, as a
 * team's own tooling would) does not hold the event loop: `{ __typename }` requests sent while the
 * release runs are answered before it finishes, and the main thread parses no file.
 */
import { describe, expect } from 'vitest';
import { fullParsesInThisThread } from '../../src/yaml';
import { forgetCachedFiles } from '../../src/domain/tenant-environment-files';
import { ok } from '../kit/client';
import { DeployReleaseDocument } from '../kit/documents/history';
import { it } from '../kit/fixtures';
import { fileAt, pushWithGitCli, teDir, STAGING } from '../history/helpers';
import { git } from '../kit/git-cli';
import { withLargeSettings } from '../kit/large-yaml';

describe('a large patch off the event loop', () => {
  it('keeps answering { __typename } while a release patches a field of a 1 MB values.yaml', async ({ openApp }) => {
    const t = await openApp({ env: { COMPUTE_THREADS: '2' } });
    const path = `${teDir(STAGING)}/services/checkout/values.yaml`;
    pushWithGitCli(t, { [path]: withLargeSettings(fileAt(t, 'main', path), 1024 * 1024) }, 'checkout: large settings');
    const url = await t.listen();
    forgetCachedFiles();
    const parsesBefore = fullParsesInThisThread();

    let done = false;
    const release = t
      .gql('DEPLOYER', DeployReleaseDocument, {
        input: { ...STAGING, services: [{ service: 'checkout', setFields: [{ path: 'settings.key_7', value: 'patched' }] }] },
      })
      .finally(() => (done = true));
    let answeredDuring = 0;
    while (!done) {
      // Over a real socket, a request every few milliseconds, as other users' screens would send them.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token('DEPLOYER')}` },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(((await response.json()) as { data?: unknown }).data).toEqual({ __typename: 'Query' });
      if (!done) answeredDuring++;
    }
    const deployed = ok(await release).deployRelease;

    expect(answeredDuring).toBeGreaterThan(3);
    expect(fullParsesInThisThread() - parsesBefore).toBe(0);
    // Only the one value changed: every other byte of the 1 MB file is as pushed.
    const diff = git(t.repoDir, ['diff', '--numstat', `${deployed.revision}^`, deployed.revision, '--', path]);
    expect(diff).toBe(`1\t1\t${path}`);
    expect(fileAt(t, deployed.revision, path)).toMatch(/\n  key_7: "?patched"?\n/);
  });
});
