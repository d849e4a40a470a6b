/**
 * Rollback planning as pure functions over file maps (README "Modes and their exact Git effect"):
 * what FULL, SERVICE and FIELD leave behind, the scope checks, and conflicts — a plan computed on a
 * head that changed the same files or fields fingerprints differently; a change elsewhere does not.
 */
import { describe, expect, it } from 'vitest';
import type { RollbackMode, SelectedField } from '../../src/domain/model';
import { diffOfPlan, normalizeScope, planRollback, previewHash, type RollbackScope } from '../../src/domain/rollback/plan';
import type { FileMap } from '../../src/domain/tenant-environment-files';

const TARGET_SHA = 'a'.repeat(40);

const values = (tag: string, replicas = 2) => `# api-gateway\nimage:\n  tag: ${tag} # pinned\nreplicas: ${replicas}\n`;
const variables = (timeout: number, region = 'eu') => `region: ${region}\nservices:\n  api-gateway:\n    timeout: ${timeout}\n  checkout:\n    timeout: 5\n`;

/** The target: api-gateway at v1, checkout present; head: api-gateway at v2, checkout scaled, search added. */
const target: FileMap = new Map([
  ['services/api-gateway/values.yaml', values('v1')],
  ['services/api-gateway/bindings.yaml', 'db: main\n'],
  ['services/checkout/values.yaml', 'replicas: 1\n'],
  ['variables.yaml', variables(30)],
  ['manifests/api-gateway.yaml', 'kind: Deployment # target\n'],
]);
const current: FileMap = new Map([
  ['services/api-gateway/values.yaml', values('v2', 3)],
  ['services/api-gateway/bindings.yaml', 'db: replica\n'],
  ['services/checkout/values.yaml', 'replicas: 4\n'],
  ['services/search/values.yaml', 'replicas: 1\n'],
  ['variables.yaml', variables(60, 'us')],
  ['manifests/api-gateway.yaml', 'kind: Deployment # current\n'],
]);

const scope = (mode: RollbackMode, service: string | null = null, fields: SelectedField[] = []) => normalizeScope({ mode, service, fields });
const plan = (s: RollbackScope, now: FileMap = current) => planRollback(s, now, target);
const hashOf = (s: RollbackScope, now: FileMap) => previewHash(s, TARGET_SHA, diffOfPlan(now, plan(s, now).desired, s, 'hash'));
const edited = (path: string, content: string | null) => {
  const files = new Map(current);
  if (content === null) files.delete(path);
  else files.set(path, content);
  return files;
};

describe('FULL', () => {
  it('leaves exactly the target’s files, manifests byte for byte, services added since removed', () => {
    const full = plan(scope('FULL', 'ignored'));
    expect(full.scope).toEqual({ mode: 'FULL', service: null, fields: [] });
    expect(full.desired).toEqual(target);
    expect(full.regenerateManifests).toBe(false);
  });
});

describe('SERVICE', () => {
  it('takes the service’s files and its services.<name> variables from the target, and nothing else', () => {
    const service = plan(scope('SERVICE', 'api-gateway'));
    expect(service.regenerateManifests).toBe(true);
    expect(service.desired.get('services/api-gateway/values.yaml')).toBe(values('v1'));
    expect(service.desired.get('services/api-gateway/bindings.yaml')).toBe('db: main\n');
    // Other services, global variables and the (derived) manifest stay as they are at head.
    for (const path of ['services/checkout/values.yaml', 'services/search/values.yaml', 'manifests/api-gateway.yaml']) {
      expect(service.desired.get(path)).toBe(current.get(path));
    }
    expect(service.desired.get('variables.yaml')).toBe(variables(30, 'us'));
  });

  it('removes a service added after the target, and restores one removed since', () => {
    expect(plan(scope('SERVICE', 'search')).desired.has('services/search/values.yaml')).toBe(false);
    const restored = plan(scope('SERVICE', 'checkout'), edited('services/checkout/values.yaml', null)).desired;
    expect(restored.get('services/checkout/values.yaml')).toBe('replicas: 1\n');
  });

  it('refuses a service that exists at neither revision', () => {
    expect(() => plan(scope('SERVICE', 'nope'))).toThrow(expect.objectContaining({ code: 'SERVICE_NOT_FOUND' }));
  });
});

describe('FIELD', () => {
  it('changes only the selected value’s bytes (comments and other fields stay)', () => {
    const field = plan(scope('FIELD', 'api-gateway', [{ file: 'values.yaml', path: 'image.tag' }]));
    expect(field.desired.get('services/api-gateway/values.yaml')).toBe(values('v1', 3));
    expect(field.desired.get('services/api-gateway/bindings.yaml')).toBe('db: replica\n');
    expect(field.desired.get('variables.yaml')).toBe(current.get('variables.yaml'));
  });

  it('a variables.yaml field is the service’s key under services.<name>', () => {
    const field = plan(scope('FIELD', 'api-gateway', [{ file: 'variables.yaml', path: 'timeout' }]));
    expect(field.desired.get('variables.yaml')).toBe(variables(30, 'us'));
  });

  it('a field the target does not have is deleted; one only the target has is inserted', () => {
    const withExtra = edited('services/api-gateway/values.yaml', `${values('v2', 3)}debug: true\n`);
    const deleted = plan(scope('FIELD', 'api-gateway', [{ file: 'values.yaml', path: 'debug' }]), withExtra).desired;
    expect(deleted.get('services/api-gateway/values.yaml')).toBe(values('v2', 3));
    const without = edited('services/api-gateway/values.yaml', '# api-gateway\nimage:\n  tag: v2 # pinned\n');
    const inserted = plan(scope('FIELD', 'api-gateway', [{ file: 'values.yaml', path: 'replicas' }]), without).desired;
    expect(inserted.get('services/api-gateway/values.yaml')).toMatch(/^replicas: 2$/m);
  });

  it('refuses a field found at neither revision, and a file missing at head', () => {
    expect(() => plan(scope('FIELD', 'api-gateway', [{ file: 'values.yaml', path: 'nope' }]))).toThrow(expect.objectContaining({ code: 'FIELD_NOT_FOUND' }));
    const noBindings = edited('services/api-gateway/bindings.yaml', null);
    expect(() => plan(scope('FIELD', 'api-gateway', [{ file: 'bindings.yaml', path: 'db' }]), noBindings)).toThrow(expect.objectContaining({ code: 'FILE_NOT_FOUND' }));
  });
});

describe('normalizeScope', () => {
  it('checks the request’s shape with stable codes', () => {
    expect(() => normalizeScope({ mode: 'SERVICE' })).toThrow(expect.objectContaining({ code: 'SERVICE_REQUIRED' }));
    expect(() => normalizeScope({ mode: 'FIELD', service: 'api-gateway', fields: [] })).toThrow(expect.objectContaining({ code: 'SELECTED_FIELDS_EMPTY' }));
    expect(() => normalizeScope({ mode: 'FIELD', service: 'api-gateway', fields: [{ file: 'environment.yaml', path: 'x' }] })).toThrow(
      expect.objectContaining({ code: 'INVALID_FIELD_FILE' }),
    );
    expect(() => normalizeScope({ mode: 'FIELD', service: 'api-gateway', fields: [{ file: 'values.yaml', path: 'a\nRollback Request ID: x' }] })).toThrow(
      expect.objectContaining({ code: 'INVALID_FIELD_PATH' }),
    );
  });

  it('trims the service, defaults the file to values.yaml and drops duplicate fields', () => {
    expect(normalizeScope({ mode: 'FIELD', service: ' api-gateway ', fields: [{ file: '', path: 'image.tag' }, { file: 'values.yaml', path: 'image.tag' }] })).toEqual({
      mode: 'FIELD',
      service: 'api-gateway',
      fields: [{ file: 'values.yaml', path: 'image.tag' }],
    });
  });
});

describe('conflicts: the plan on a newer head', () => {
  const field = scope('FIELD', 'api-gateway', [{ file: 'values.yaml', path: 'image.tag' }]);
  const service = scope('SERVICE', 'api-gateway');

  it('the same field changed again: a different fingerprint (a conflict)', () => {
    expect(hashOf(field, edited('services/api-gateway/values.yaml', values('v3', 3)))).not.toBe(hashOf(field, current));
  });

  it('another field of the same file, or another service, changed: the same fingerprint (no conflict)', () => {
    expect(hashOf(field, edited('services/api-gateway/values.yaml', values('v2', 5)))).toBe(hashOf(field, current));
    expect(hashOf(field, edited('services/checkout/values.yaml', 'replicas: 9\n'))).toBe(hashOf(field, current));
    expect(hashOf(service, edited('services/checkout/values.yaml', 'replicas: 9\n'))).toBe(hashOf(service, current));
  });

  it('the service’s own files changed: a SERVICE rollback conflicts', () => {
    expect(hashOf(service, edited('services/api-gateway/bindings.yaml', 'db: other\n'))).not.toBe(hashOf(service, current));
  });
});
