/** Drift: desired values at the head of main against the live values the agent reports, and live values in the rollback preview. */
import { describe, expect } from 'vitest';
import type { TestApp } from '../kit/app';
import { call, ok } from '../kit/client';
import { SyncStatusDocument } from '../kit/documents/live';
import { PreviewRollbackDocument } from '../kit/documents/rollbacks';
import { it } from '../kit/fixtures';
import { PROD } from './helpers';
import { deploy, desiredLive, release, report, reportInput, tenantEnvironment } from './scenario';
import type { LiveServiceInput } from '../gql/graphql';


describe('drift between Git and the cluster', () => {
  const drift = async (t: TestApp) => ok(await call(t, 'DEPLOYER', SyncStatusDocument, PROD)).tenantEnvironment!.drift;
  const withService = (live: LiveServiceInput[], service: string, patch: Partial<LiveServiceInput>) =>
    live.map((s) => (s.service === service ? { ...s, ...patch } : s));

  it('is empty when the live values equal the desired ones, shows a manual cluster change, and clears when the cluster matches again', async ({ t }) => {
    const te = await tenantEnvironment(t, PROD);
    const desired = await desiredLive(t, PROD, te.head);
    expect(desired.map((s) => s.service).sort()).toEqual(['api-gateway', 'catalog', 'checkout', 'payments']);

    expect(await drift(t)).toEqual([]); // no report yet: nothing to compare
    ok(await report(t, 'AGENT', reportInput(PROD, te.head, { services: desired })));
    expect(await drift(t)).toEqual([]);

    // Someone ran `kubectl set image` and scaled payments by hand.
    const manual = withService(withService(desired, 'api-gateway', { imageTag: 'v2.0.9-hotfix' }), 'payments', {
      replicas: 1,
      values: { 'resources.limits.memory': '1Gi' },
    });
    ok(await report(t, 'AGENT', reportInput(PROD, te.head, { services: manual })));
    expect(await drift(t)).toEqual([
      { service: 'api-gateway', field: 'image.tag', desired: 'v2.1.1-rc0', live: 'v2.0.9-hotfix' },
      { service: 'payments', field: 'replicas', desired: 3, live: 1 },
      { service: 'payments', field: 'resources.limits.memory', desired: '512Mi', live: '1Gi' },
    ]);

    // The preview shows the live value next to current and target, so responders see the manual change first.
    const preview = ok(
      await call(t, 'DEPLOYER', PreviewRollbackDocument, {
        input: { ...PROD, mode: 'FIELD', targetSha: te.tagTarget, service: 'api-gateway', fields: [{ file: 'values.yaml', path: 'image.tag' }] },
      }),
    ).previewRollback;
    expect(preview.services).toEqual([
      {
        service: 'api-gateway',
        fields: [{ file: 'services/api-gateway/values.yaml', path: 'image.tag', currentValue: 'v2.1.1-rc0', targetValue: 'v2.1.0', liveValue: 'v2.0.9-hotfix' }],
      },
    ]);

    // The cluster is put back to what Git says: no drift.
    ok(await report(t, 'AGENT', reportInput(PROD, te.head, { services: desired })));
    expect(await drift(t)).toEqual([]);

    // A new release the agent has not applied yet shows as drift against the new head until it has.
    const next = await release(t, PROD, 'checkout', 'v3.5.0');
    expect(await drift(t)).toEqual([{ service: 'checkout', field: 'image.tag', desired: 'v3.5.0', live: 'v3.4.1' }]);
    ok(await report(t, 'AGENT', reportInput(PROD, next.revision, { services: await desiredLive(t, PROD, next.revision) })));
    expect(await drift(t)).toEqual([]);
  });

  it('compares values as the manifests render them: an unquoted numeric tag in Git and the string the cluster reports agree', async ({ t }) => {
    const input = { ...PROD, description: 'numeric tag', services: [{ service: 'checkout', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 2 }] }] };
    const { revision } = await deploy(t, input);
    const git = await t.app.backend.repositories.forProject('shop');
    const manifest = (await git.readFile(revision, 'tenants/acme/production/manifests/checkout.yaml'))!.toString('utf8');
    expect(manifest).toMatch(/image: \S+:2\n/);

    const live = await desiredLive(t, PROD, revision);
    expect(live.find((s) => s.service === 'checkout')!.imageTag).toBe('2');
    ok(await report(t, 'AGENT', reportInput(PROD, revision, { services: live })));
    expect(await drift(t)).toEqual([]);

    ok(await report(t, 'AGENT', reportInput(PROD, revision, { services: withService(live, 'checkout', { imageTag: '3' }) })));
    expect(await drift(t)).toEqual([{ service: 'checkout', field: 'image.tag', desired: 2, live: '3' }]);
  });

  it('reports services missing from the cluster and services Git does not know', async ({ t }) => {
    const te = await tenantEnvironment(t, PROD);
    const desired = await desiredLive(t, PROD, te.head);
    const live = [...desired.filter((s) => s.service !== 'catalog'), { service: 'debug-shell', imageTag: 'latest', replicas: 1 }];
    ok(await report(t, 'AGENT', reportInput(PROD, te.head, { services: live })));
    expect(await drift(t)).toEqual([
      { service: 'debug-shell', field: '(service)', desired: null, live: 'running' },
      { service: 'catalog', field: '(service)', desired: 'running', live: null },
    ]);
  });

  it('shows liveValue in the preview only for fields the agent reports', async ({ t }) => {
    const te = await tenantEnvironment(t, PROD);
    const desired = await desiredLive(t, PROD, te.head);
    ok(await report(t, 'AGENT', reportInput(PROD, te.head, { services: withService(desired, 'checkout', { replicas: 7 }) })));
    // A full rollback to before the holiday scale-up changes checkout's replicas (reported) among other fields.
    const target = te.deployments.find((d) => d.changes.some((c) => c.startsWith('checkout: replicas')))!;
    const beforeScaleUp = te.deployments[te.deployments.indexOf(target) + 1]!.revision;
    const preview = ok(
      await call(t, 'DEPLOYER', PreviewRollbackDocument, { input: { ...PROD, mode: 'SERVICE', service: 'checkout', targetSha: beforeScaleUp } }),
    ).previewRollback;
    const fields = preview.services.flatMap((s) => s.fields);
    expect(fields.find((f) => f.path === 'replicas')).toMatchObject({ currentValue: 5, targetValue: 3, liveValue: 7 });
    for (const field of fields.filter((f) => !['replicas', 'image.tag', 'resources.limits.memory'].includes(f.path))) {
      expect(field.liveValue, `${field.file} ${field.path}`).toBeNull();
    }
  });
});
