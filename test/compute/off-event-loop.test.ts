/**
 * With worker threads (COMPUTE_THREADS > 0), the YAML parsing and diffing of releases, previews and
 * rollbacks happens in the workers: the main thread — the event loop that serves every request —
 * parses no file, while the same operations on the event loop (COMPUTE_THREADS=0) parse many. And a
 * timer on the event loop keeps firing while a preview is computed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { authenticate } from '../../src/domain/auth';
import { requireOpenTenantEnvironment } from '../../src/domain/history/queries';
import { deployRelease } from '../../src/domain/releases';
import { executeRollback } from '../../src/domain/rollback/execute';
import { previewRollback } from '../../src/domain/rollback/preview';
import { forgetCachedFiles } from '../../src/domain/tenant-environment-files';
import { fullParsesInThisThread } from '../../src/yaml';
import { createTestApp, type TestApp } from '../kit/app';

const WHERE = { project: 'shop', tenant: 'acme', environment: 'staging' };

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

/** A release of every demo service, then a FULL preview and a FIELD rollback to before it; the main thread's parses meanwhile. */
async function releasePreviewRollBack(threads: string) {
  t = await createTestApp({ env: { COMPUTE_THREADS: threads } });
  const backend = t.app.backend;
  const deployer = (await authenticate(backend.stores, t.token('DEPLOYER')))!;
  const repo = await backend.repositories.forProject('shop');
  const target = (await repo.head())!;
  const services = (await repo.listDirectories(target, 'tenants/acme/staging/services')).map((dir) => dir.split('/').at(-1)!);
  forgetCachedFiles();
  const before = fullParsesInThisThread();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    await deployRelease(backend, deployer, {
      ...WHERE,
      services: services.map((service) => ({ service, setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v9.9.9' }] })),
    });
    forgetCachedFiles();
    const ticksBeforePreview = ticks;
    const preview = await previewRollback(backend, deployer, { ...WHERE, mode: 'FULL', targetRevision: target });
    const ticksDuringPreview = ticks - ticksBeforePreview;
    forgetCachedFiles();
    await executeRollback(backend, {
      tenantEnvironment: await requireOpenTenantEnvironment(backend, deployer, WHERE, 'DEPLOYER'),
      scope: { mode: 'FIELD', service: services[0]!, fields: [{ file: 'values.yaml', path: 'image.tag' }] },
      targetSha: target,
      expectedPreviewHash: null,
      requestId: 'rbk-off-event-loop',
      justification: 'test',
      author: { name: 'Dana', email: 'dana@example.com' },
      approval: 'Not required by the environment policy',
    });
    return { services, preview, parses: fullParsesInThisThread() - before, ticksDuringPreview };
  } finally {
    clearInterval(timer);
  }
}

describe('compute off the event loop', () => {
  it('parses no YAML on the main thread when worker threads do the work', async () => {
    const { services, preview, parses, ticksDuringPreview } = await releasePreviewRollBack('2');
    expect(services.length).toBeGreaterThan(1);
    // The preview found every service's tag changed: the files were parsed and compared — elsewhere.
    expect(preview.diff.services.map((service) => service.service).sort()).toEqual([...services].sort());
    expect(preview.diff.services.every((service) => service.fields.some((field) => field.path === 'image.tag' && field.before === 'v9.9.9'))).toBe(true);
    expect(parses).toBe(0);
    expect(ticksDuringPreview).toBeGreaterThan(0);
  });

  it('parses on the main thread when there are no worker threads (the control)', async () => {
    const { parses } = await releasePreviewRollBack('0');
    expect(parses).toBeGreaterThan(0);
  });
});
