/** The Argo CD refresh hook: after a commit on main, a GitHub push event Argo CD's /api/webhook accepts. */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../kit/app';
import { git } from '../kit/git-cli';
import { FAST_NOTIFY, SET_TARGET, data, gql, signatureValid, startReceiver, type Receiver } from './helpers';

const SECRET = 'argocd-webhook-secret';
let t: TestApp | null = null;
let receiver: Receiver | null = null;

afterEach(async () => {
  await t?.close();
  await receiver?.close();
  t = null;
  receiver = null;
});

/** What Argo CD's webhook handler reads of a GitHub push (github.PushPayload), checked as strictly as a parser would. */
function parseGitHubPush(headers: Record<string, unknown>, raw: Buffer) {
  expect(headers['x-github-event']).toBe('push');
  expect(headers['content-type']).toBe('application/json');
  const payload = JSON.parse(raw.toString('utf8'));
  expect(typeof payload.ref).toBe('string');
  expect(payload.before).toMatch(/^[0-9a-f]{40}$/);
  expect(payload.after).toMatch(/^[0-9a-f]{40}$/);
  expect(Array.isArray(payload.commits)).toBe(true);
  for (const commit of payload.commits) {
    for (const list of ['added', 'modified', 'removed']) expect(Array.isArray(commit[list])).toBe(true);
  }
  expect(typeof payload.repository.html_url).toBe('string');
  expect(typeof payload.repository.clone_url).toBe('string');
  expect(payload.repository.default_branch).toBe('main');
  return payload;
}

describe('an ARGOCD target', () => {
  it('gets a signed GitHub push event for the new commit: ref, before, after, changed files, and the served clone URL', async () => {
    t = await createTestApp({ env: FAST_NOTIFY });
    const base = await t.listen();
    receiver = await startReceiver();
    const target = data(await gql(t, t.token('ADMIN'), SET_TARGET, { input: { project: 'shop', name: 'argocd', kind: 'ARGOCD', url: `${receiver.url}/api/webhook`, secret: SECRET } }))
      .setNotificationTarget;
    expect(target).toMatchObject({ kind: 'ARGOCD', hasSecret: true, eventKinds: [] });

    const before = git(t.repoDir, ['rev-parse', 'refs/heads/main']);
    const release = data(
      await gql(t, t.token('DEPLOYER'), `mutation R($input: DeployReleaseInput!) { deployRelease(input: $input) { revision } }`, {
        input: { project: 'shop', tenant: 'acme', environment: 'staging', description: 'payments v1.5.1', services: [{ service: 'payments', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v1.5.1' }] }] },
      }),
    ).deployRelease;

    const [push] = await receiver.waitFor(1);
    expect(push!.headers['x-hub-signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(push!.headers['x-hub-signature']).toMatch(/^sha1=[0-9a-f]{40}$/);
    expect(signatureValid(push!.headers['x-hub-signature-256'], SECRET, push!.raw)).toBe(true);
    expect(signatureValid(push!.headers['x-hub-signature'], SECRET, push!.raw)).toBe(true);
    expect(signatureValid(push!.headers['x-hub-signature-256'], 'not-the-secret', push!.raw)).toBe(false);

    const payload = parseGitHubPush(push!.headers, push!.raw);
    const served = data(await gql(t, t.token('ADMIN'), `{ project(slug: "shop") { repositoryUrl } }`)).project.repositoryUrl;
    expect(served).toBe(`${base.replace('127.0.0.1', 'localhost')}/git/shop.git`);
    expect(payload.repository.clone_url).toBe(served);
    expect(payload.repository.html_url).toBe(served);
    expect(payload.ref).toBe('refs/heads/main');
    expect(payload.after).toBe(release.revision);
    expect(payload.before).toBe(before);
    expect(payload.commits).toHaveLength(1);
    expect(payload.commits[0].id).toBe(release.revision);
    expect(payload.commits[0].modified).toContain('tenants/acme/staging/services/payments/values.yaml');
    expect(payload.head_commit.id).toBe(release.revision);
    expect(push!.headers['x-github-delivery']).toBe(push!.headers['idempotency-key']);

    // The served URL really is the repository that has the commit.
    expect(git(t.repoDir, ['rev-parse', 'refs/heads/main'])).toBe(payload.after);
    // Only pushes: no request events reach an Argo CD target.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(1);
  });

  it('takes COMMIT_PUSHED only', async () => {
    t = await createTestApp({ env: FAST_NOTIFY });
    const refused = await gql(t, t.token('ADMIN'), SET_TARGET, {
      input: { project: 'shop', name: 'argocd', kind: 'ARGOCD', url: 'http://127.0.0.1:9/api/webhook', eventKinds: ['REQUEST_CREATED'] },
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNKNOWN_NOTIFICATION_EVENT');
  });
});
