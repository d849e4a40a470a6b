/** The Compute port on worker threads: TypeScript tasks load in the workers, results and domain errors cross intact. */
import { afterAll, describe, expect, it } from 'vitest';
import { workerCompute } from '../../src/compute/worker-compute';
import { inProcessCompute, runCompute } from '../../src/domain/compute-tasks';
import { BadRequestError, DomainError, NotFoundError, RepositoryCorruptError, domainErrorData, revivedDomainError } from '../../src/domain/errors';
import { demoFiles } from '../../src/domain/seed/demo-files';
import { forgetCachedFiles, type FileMap } from '../../src/domain/tenant-environment-files';

const REF = { project: 'shop', tenant: 'acme', environment: 'staging' };

function filesWithTag(tag: string): FileMap {
  const files = demoFiles('acme', 'staging');
  const path = 'services/api-gateway/values.yaml';
  files.set(path, files.get(path)!.replace(/tag: .*/, `tag: ${tag}  # pinned`));
  return files;
}

describe('worker compute', () => {
  const workers = workerCompute({ threads: 2 });
  const local = inProcessCompute();
  afterAll(() => workers.close());

  it('plans a rollback in a worker thread exactly as on the event loop', async () => {
    const input = {
      scope: { mode: 'FIELD' as const, service: 'api-gateway', fields: [{ file: 'values.yaml', path: 'image.tag' }] },
      ref: REF,
      targetSha: 'a'.repeat(40),
      current: filesWithTag('v9.9.9'),
      target: filesWithTag('v1.0.0'),
      textDiffs: 'all' as const,
    };
    const [there, here] = await Promise.all([runCompute(workers, 'planRollback', input), runCompute(local, 'planRollback', input)]);
    expect(there).toEqual(here);
    expect(there!.changed.map(([path]) => path)).toEqual(['manifests/api-gateway.yaml', 'services/api-gateway/values.yaml']);
    expect(there!.diff.services[0]!.fields).toMatchObject([{ path: 'image.tag', before: 'v9.9.9', after: 'v1.0.0' }]);
  });

  it('runs tasks on several threads at once, and the same again once the main thread forgot its caches', async () => {
    const before = filesWithTag('v1');
    const inputs = Array.from({ length: 8 }, (_, i) => ({ ref: REF, current: before, changed: [['services/api-gateway/values.yaml', before.get('services/api-gateway/values.yaml')!.replace('v1', `v${i + 2}`)] as const], regenerateManifests: true }));
    const first = await Promise.all(inputs.map((input) => runCompute(workers, 'finishChange', input)));
    forgetCachedFiles();
    const again = await Promise.all(inputs.map((input) => runCompute(workers, 'finishChange', input)));
    expect(again).toEqual(first);
    expect(first.map((finished) => finished!.diff.services[0]!.fields[0]!.after)).toEqual(inputs.map((_, i) => `v${i + 2}`));
  });

  it('throws the task’s DomainError again on the calling side, of its own class, with its code, status and details', async () => {
    const input = {
      scope: { mode: 'SERVICE' as const, service: 'nope', fields: [] },
      ref: REF,
      targetSha: 'a'.repeat(40),
      current: demoFiles('acme', 'staging'),
      target: demoFiles('acme', 'staging'),
      textDiffs: 'all' as const,
    };
    const error = await runCompute(workers, 'planRollback', input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ code: 'SERVICE_NOT_FOUND', status: 400, details: { service: 'nope' }, name: 'BadRequestError' });
    expect((error as Error).message).toBe('service nope exists at neither the current nor the target revision');
    await expect(workers.run('noSuchTask', {})).rejects.toThrow('unknown compute task noSuchTask');
  });
});

describe('domain errors as data', () => {
  it('revive as the same class with every field, including alarms', () => {
    for (const original of [new NotFoundError('service x', { service: 'x' }), new RepositoryCorruptError('damaged', { revision: 'abc' }), new DomainError('X', 'x', 418)]) {
      const revived = revivedDomainError(structuredClone(domainErrorData(original)));
      expect(revived).toBeInstanceOf(original.constructor);
      expect({ ...revived, message: revived.message }).toEqual({ ...original, message: original.message });
    }
  });
});
