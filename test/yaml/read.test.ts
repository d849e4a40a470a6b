import { describe, expect, it } from 'vitest';
import { YamlFieldError, flattenLeaves, parseYaml, readField } from '../../src/yaml';

const VALUES = `# api-gateway
image:
  repository: nginx # inline comment
  tag: "v2.0.9"
  pullPolicy: 'IfNotPresent'
resources:
  limits:
    cpu: 500m
  requests:
    cpu: 100m

args:
  - --verbose
  - --port=8080
probe: {path: /healthz, port: 8080}
empty:
script: |
  echo hi
defaults: &defaults
  replicas: 2
  pullPolicy: Always
worker:
  <<: *defaults
  replicas: 5
sidecarDefaults: *defaults
annotations:
  prometheus.io/scrape: "true"
`;

describe('parseYaml', () => {
  it('returns the value of the first document, with merge keys applied', () => {
    const value = parseYaml(VALUES) as Record<string, Record<string, unknown>>;
    expect(value.image).toEqual({ repository: 'nginx', tag: 'v2.0.9', pullPolicy: 'IfNotPresent' });
    expect(value.worker).toEqual({ replicas: 5, pullPolicy: 'Always' });
    expect(value.sidecarDefaults).toEqual({ replicas: 2, pullPolicy: 'Always' });
    expect(parseYaml('a: 1\n---\nb: 2\n')).toEqual({ a: 1 });
  });

  it('returns null for empty or comment-only files', () => {
    expect(parseYaml('')).toBeNull();
    expect(parseYaml('# nothing\n')).toBeNull();
    expect(parseYaml('---\n# nothing\n')).toBeNull();
  });

  it('throws YAML_PARSE_ERROR naming the file and the position', () => {
    const error = captureError(() => parseYaml('image:\n  tag: [v1\nreplicas: 2\n', 'values.yaml'));
    expect(error).toBeInstanceOf(YamlFieldError);
    expect(error).toMatchObject({ code: 'YAML_PARSE_ERROR', fileName: 'values.yaml' });
    expect((error as Error).message).toMatch(/^invalid YAML in values\.yaml: .*line \d+, column \d+/);
  });

  it('reports duplicate keys, broken later documents and unknown aliases as parse errors', () => {
    expect(() => parseYaml('a: 1\na: 2\n')).toThrow(expect.objectContaining({ code: 'YAML_PARSE_ERROR' }));
    expect(() => parseYaml('a: 1\n---\nb: [\n')).toThrow(expect.objectContaining({ code: 'YAML_PARSE_ERROR' }));
    expect(() => parseYaml('a: *nowhere\n')).toThrow(expect.objectContaining({ code: 'YAML_PARSE_ERROR' }));
  });
});

describe('readField', () => {
  it.each([
    ['image.repository', 'nginx', 'nginx', 'scalar'],
    ['image.tag', 'v2.0.9', '"v2.0.9"', 'scalar'],
    ['image.pullPolicy', 'IfNotPresent', "'IfNotPresent'", 'scalar'],
    ['resources', { limits: { cpu: '500m' }, requests: { cpu: '100m' } }, 'limits:\n    cpu: 500m\n  requests:\n    cpu: 100m', 'map'],
    ['resources.limits', { cpu: '500m' }, 'cpu: 500m', 'map'],
    ['args', ['--verbose', '--port=8080'], '- --verbose\n  - --port=8080', 'seq'],
    ['args[1]', '--port=8080', '--port=8080', 'scalar'],
    ['probe', { path: '/healthz', port: 8080 }, '{path: /healthz, port: 8080}', 'map'],
    ['probe.port', 8080, '8080', 'scalar'],
    ['empty', null, '', 'scalar'],
    ['script', 'echo hi\n', '|\n  echo hi', 'scalar'],
    ['sidecarDefaults', { replicas: 2, pullPolicy: 'Always' }, '*defaults', 'map'],
    ['sidecarDefaults.replicas', 2, '2', 'scalar'],
    ['worker.replicas', 5, '5', 'scalar'],
    ['worker.pullPolicy', 'Always', 'Always', 'scalar'],
    ['annotations["prometheus.io/scrape"]', 'true', '"true"', 'scalar'],
  ])('%s', (path, value, raw, kind) => {
    expect(readField(VALUES, path, 'values.yaml')).toEqual({ found: true, value, raw, kind });
  });

  it.each(['image.tagg', 'image.tag.major', 'args[2]', 'args.first', 'probe[0]', 'nothing.at.all', 'worker["<<"]'])(
    '%s is not found',
    (path) => {
      expect(readField(VALUES, path)).toEqual({ found: false });
    },
  );

  it('keeps CRLF line breaks inside multi-line raw text', () => {
    const crlf = 'resources:\r\n  limits:\r\n    cpu: 1\r\n  requests:\r\n    cpu: 2\r\n';
    expect(readField(crlf, 'resources')).toMatchObject({ raw: 'limits:\r\n    cpu: 1\r\n  requests:\r\n    cpu: 2' });
    expect(readField(crlf, 'resources.limits.cpu')).toMatchObject({ raw: '1', value: 1 });
  });

  it('rejects invalid paths and invalid YAML', () => {
    expect(() => readField(VALUES, 'image..tag')).toThrow(expect.objectContaining({ code: 'INVALID_FIELD_PATH' }));
    expect(() => readField('a: [', 'a')).toThrow(expect.objectContaining({ code: 'YAML_PARSE_ERROR' }));
  });
});

describe('flattenLeaves', () => {
  it('walks mappings; scalars, whole sequences and empty mappings are leaves', () => {
    const leaves = flattenLeaves(parseYaml(VALUES));
    expect(leaves.get('image.tag')).toBe('v2.0.9');
    expect(leaves.get('resources.limits.cpu')).toBe('500m');
    expect(leaves.get('args')).toEqual(['--verbose', '--port=8080']);
    expect(leaves.has('args[0]')).toBe(false);
    expect(leaves.get('worker.pullPolicy')).toBe('Always');
    expect(leaves.get('annotations["prometheus.io/scrape"]')).toBe('true');
    expect(leaves.has('empty')).toBe(true);
    expect(flattenLeaves({ a: {}, b: { c: {} } })).toEqual(
      new Map<string, unknown>([
        ['a', {}],
        ['b.c', {}],
      ]),
    );
  });

  it('has no leaves for an empty root mapping and one leaf for a non-mapping root', () => {
    expect(flattenLeaves({}).size).toBe(0);
    expect(flattenLeaves([1, 2])).toEqual(new Map([['', [1, 2]]]));
  });
});

function captureError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
