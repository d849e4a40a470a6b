import { describe, expect, it } from 'vitest';
import { deleteField, parseYaml, readField, setFieldRaw, setFieldValue } from '../../src/yaml';

const rawOf = (source: string, path: string): string => {
  const read = readField(source, path);
  if (!read.found) throw new Error(`${path} not found`);
  return read.raw;
};

describe('setFieldValue on existing scalars', () => {
  it.each([
    ['tag: "v2.0.9" # pinned\n', 'v2.1.1', 'tag: "v2.1.1" # pinned\n'],
    ["policy: 'Always'\n", "it's", "policy: 'it''s'\n"],
    ["policy: 'Always'\n", 'two\nlines', 'policy: "two\\nlines"\n'],
    ['tag: v2.0.9\n', 'v2.1.1', 'tag: v2.1.1\n'],
    ['tag: "v2.0.9"\n', 5, 'tag: 5\n'],
    ['enabled: false\n', true, 'enabled: true\n'],
    ['value: x\n', null, 'value: null\n'],
    ['ratio: 1\n', 0.25, 'ratio: 0.25\n'],
    ['ratio: 1\n', -0, 'ratio: -0\n'],
    ['ratio: 1\n', Number.POSITIVE_INFINITY, 'ratio: .inf\n'],
    ['value:\n', 'now set', 'value: now set\n'],
    ['value: # to do\n', 3, 'value: 3 # to do\n'],
    ['- a\n- b\n', 'c', '- a\n- c\n'],
  ])('%j ← %j', (source, value, expected) => {
    const path = source.startsWith('-') ? '[1]' : source.slice(0, source.indexOf(':'));
    expect(setFieldValue(source, path, value)).toBe(expected);
  });

  it.each([
    ['true'], ['False'], ['yes'], ['on'], ['~'], ['null'], ['1.0'], ['022'], ['0x1F'], ['1e3'], ['2024-01-31'],
    ['key: value'], ['a #b'], ['*alias'], ['&anchor'], ['!tag'], ['%x'], ['@x'], ['`x`'], ['- x'], ['[x]'],
    [' lead'], ['trail '], [''], ['tab\there'], ['bell\u0007'],
  ])('quotes %j where plain text would read back differently', (value) => {
    const edited = setFieldValue('value: plain\n', 'value', value);
    expect(edited).toMatch(/^value: "/);
    expect(readField(edited, 'value')).toMatchObject({ value });
  });

  it.each([['v1.2.3'], ['https://example.com/a?b=c#d'], ['--port=8080'], ['café'], ['500m'], ['a:b']])(
    'keeps %j plain',
    (value) => {
      expect(setFieldValue('value: x\n', 'value', value)).toBe(`value: ${value}\n`);
    },
  );

  it('keeps block scalar styles when the new text allows them', () => {
    const source = 'script: |\n  echo one\n  echo two\nnote: >-\n  folded\nnext: 1\n';
    expect(setFieldValue(source, 'script', 'exec a\nexec b\n')).toBe(
      'script: |\n  exec a\n  exec b\nnote: >-\n  folded\nnext: 1\n',
    );
    expect(setFieldValue(source, 'script', 'no newline\nat end')).toBe(
      'script: |-\n  no newline\n  at end\nnote: >-\n  folded\nnext: 1\n',
    );
    expect(setFieldValue(source, 'script', '  indented\nfirst')).toBe(
      'script: |2-\n    indented\n  first\nnote: >-\n  folded\nnext: 1\n',
    );
    expect(setFieldValue(source, 'note', 'still one line')).toBe(
      'script: |\n  echo one\n  echo two\nnote: >-\n  still one line\nnext: 1\n',
    );
    expect(setFieldValue(source, 'script', 'kept\n\n')).toBe('script: "kept\\n\\n"\nnote: >-\n  folded\nnext: 1\n');
  });

  it('writes mappings and sequences as indented blocks, or as flow inside flow collections', () => {
    expect(setFieldValue('a: 1\nb: 2\n', 'a', { image: { tag: 'v1' }, args: ['--x', 'true'], empty: {} })).toBe(
      'a:\n  image:\n    tag: v1\n  args:\n    - --x\n    - "true"\n  empty: {}\nb: 2\n',
    );
    expect(setFieldValue('a: 1\n', 'a', [[1, 2], { k: [] }])).toBe('a:\n  - - 1\n    - 2\n  - k: []\n');
    expect(setFieldValue('a: {b: 1}\n', 'a.b', { x: 'a,b', list: [1, 'c: d'] })).toBe(
      'a: {b: {x: "a,b", list: [1, "c: d"]}}\n',
    );
    expect(setFieldValue('probe: [1, 2]\n', 'probe[0]', [])).toBe('probe: [[], 2]\n');
  });

  it('follows the file: four-space indentation and indentless sequences', () => {
    const source = 'spec:\n    containers:\n    - name: app\n    replicas: 1\n';
    expect(setFieldValue(source, 'spec.replicas', { min: 1, ports: [80] })).toBe(
      'spec:\n    containers:\n    - name: app\n    replicas:\n        min: 1\n        ports:\n        - 80\n',
    );
  });

  it('replaces a block collection by a scalar on the key line', () => {
    const source = 'args:\n  - a\n  - b\nresources: # per container\n  cpu: 1\nnext: 1\n';
    expect(setFieldValue(source, 'args', 'none')).toBe('args: none\nresources: # per container\n  cpu: 1\nnext: 1\n');
    expect(setFieldValue(source, 'resources', {})).toBe('args:\n  - a\n  - b\nresources: # per container\n  {}\nnext: 1\n');
  });

  it('refuses values YAML cannot hold', () => {
    for (const value of [undefined, new Date(0), () => 1, 10n, new Map()]) {
      expect(() => setFieldValue('a: 1\n', 'a', value)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_EDIT' }));
    }
  });
});

describe('setFieldRaw', () => {
  const previous = `# checkout
image:
  tag: v3.4.0
resources:
  limits:
    cpu: 500m
    memory: 256Mi # capped
  requests:
    cpu: 100m
replicas: 2
`;
  const current = `# checkout
image:
  tag: v3.4.1
resources:
  limits:
    cpu: "1"
replicas: 3
`;

  it('puts back a block mapping taken from another version', () => {
    expect(setFieldRaw(current, 'resources', rawOf(previous, 'resources'))).toBe(
      current.replace('  limits:\n    cpu: "1"\n', '  limits:\n    cpu: 500m\n    memory: 256Mi # capped\n  requests:\n    cpu: 100m\n'),
    );
    expect(setFieldRaw(current, 'image.tag', rawOf(previous, 'image.tag'))).toBe(current.replace('v3.4.1', 'v3.4.0'));
  });

  it('re-indents a block to the column of the value it replaces', () => {
    const fourSpaces = 'spec:\n    resources:\n        limits:\n            cpu: 1\n    replicas: 2\n';
    const twoSpaces = 'spec:\n  resources:\n    limits:\n      cpu: 500m\n    requests:\n      cpu: 100m\n';
    const edited = setFieldRaw(fourSpaces, 'spec.resources', rawOf(twoSpaces, 'spec.resources'));
    expect(edited).toBe(
      'spec:\n    resources:\n        limits:\n          cpu: 500m\n        requests:\n          cpu: 100m\n    replicas: 2\n',
    );
    expect(readField(edited, 'spec.resources')).toMatchObject({ value: { limits: { cpu: '500m' }, requests: { cpu: '100m' } } });

    const deeper = setFieldRaw('x: 1\n', 'x', rawOf(fourSpaces, 'spec.resources'));
    expect(deeper).toBe('x:\n  limits:\n    cpu: 1\n');
    expect(parseYaml(deeper)).toEqual({ x: { limits: { cpu: 1 } } });
  });

  it('reads ambiguous raw text the way the value it replaces is shaped', () => {
    // Without knowing its first column, `runAsUser:\n  fsGroup: 2000` could be one nested key or two.
    const before = 'securityContext:\n  runAsUser:\n  fsGroup: 2000\n';
    const after = 'securityContext:\n  runAsUser: 1000\n  fsGroup: 3000\n';
    expect(setFieldRaw(after, 'securityContext', rawOf(before, 'securityContext'))).toBe(before);

    const nested = 'resources:\n  limits:\n    cpu: 1\n';
    const reformatted = 'resources:\n    limits:\n        cpu: 2\n';
    expect(parseYaml(setFieldRaw(reformatted, 'resources', rawOf(nested, 'resources')))).toEqual({
      resources: { limits: { cpu: 1 } },
    });
  });

  it('places block text under a key that held a scalar, following the file for sequences', () => {
    expect(setFieldRaw('a: 1\nb: x\n', 'b', 'c: 1')).toBe('a: 1\nb:\n  c: 1\n');
    expect(setFieldRaw('a:\n- x\nb: 1\n', 'b', '- y')).toBe('a:\n- x\nb:\n- y\n');
    expect(setFieldRaw('a:\n  - x\nb: 1\n', 'b', '- y')).toBe('a:\n  - x\nb:\n  - y\n');
    expect(setFieldRaw('list:\n  - name: a\n  - x\n', 'list[1]', 'name: b\n    image: c')).toBe(
      'list:\n  - name: a\n  - name: b\n    image: c\n',
    );
  });

  it('writes CRLF line breaks into CRLF files', () => {
    expect(setFieldRaw('a:\r\n  b: 1\r\nz: 0\r\n', 'a', 'x: 1\n  y: 2')).toBe('a:\r\n  x: 1\r\n  y: 2\r\nz: 0\r\n');
  });

  it('refuses block text inside flow collections and invalid raw text', () => {
    expect(() => setFieldRaw('a: {b: 1}\n', 'a.b', 'c: 1\nd: 2')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_EDIT' }),
    );
    expect(() => setFieldRaw('a: 1\n', 'a', '[unclosed')).toThrow(expect.objectContaining({ code: 'YAML_PARSE_ERROR' }));
  });
});

describe('inserting missing keys', () => {
  it('appends to a block mapping with its indentation, before trailing comments', () => {
    const source = 'image:\n  repository: nginx\n  tag: v1 # pinned\n  # more to come\n# next section\nreplicas: 1\n';
    expect(setFieldValue(source, 'image.digest', 'sha256:abc')).toBe(
      'image:\n  repository: nginx\n  tag: v1 # pinned\n  digest: sha256:abc\n  # more to come\n# next section\nreplicas: 1\n',
    );
    expect(setFieldValue('- name: a\n  image: b\n', '[0].tag', 'v2')).toBe('- name: a\n  image: b\n  tag: v2\n');
  });

  it('creates missing intermediate mappings', () => {
    expect(setFieldValue('autoscaling:\n  enabled: true\nz: 1\n', 'autoscaling.behavior.scaleDown.window', 300)).toBe(
      'autoscaling:\n  enabled: true\n  behavior:\n    scaleDown:\n      window: 300\nz: 1\n',
    );
    expect(setFieldValue('a:\nb: 2\n', 'a.x.y', 'z')).toBe('a:\n  x:\n    "y": z\nb: 2\n');
    expect(setFieldValue('a: # todo\nb: 2\n', 'a.x', 'z')).toBe('a: # todo\n  x: z\nb: 2\n');
    expect(setFieldValue('env:\n  LOG: info\n', 'env["LOG.LEVEL"]', 'debug')).toBe('env:\n  LOG: info\n  LOG.LEVEL: debug\n');
  });

  it('adds entries to flow mappings', () => {
    expect(setFieldValue('probe: {path: /, port: 80}\n', 'probe.timeout', 5)).toBe('probe: {path: /, port: 80, timeout: 5}\n');
    expect(setFieldValue('labels: {}\n', 'labels.team', 'core')).toBe('labels: {team: core}\n');
    expect(setFieldValue('probe: {port: 1}\n', 'probe.http.path', '/x')).toBe('probe: {port: 1, http: {path: /x}}\n');
  });

  it('starts empty files and keeps a missing final newline missing', () => {
    expect(setFieldValue('', 'image.tag', 'v1')).toBe('image:\n  tag: v1\n');
    expect(setFieldValue('# nothing yet\n', 'a', 1)).toBe('# nothing yet\na: 1\n');
    expect(setFieldValue('a: 1', 'b', 2)).toBe('a: 1\nb: 2');
    expect(setFieldValue('a:\r\n  b: 1\r\n', 'a.c', [1])).toBe('a:\r\n  b: 1\r\n  c:\r\n    - 1\r\n');
  });

  it('overrides a key inherited through a merge key in the mapping itself', () => {
    const source = 'base: &base\n  pullPolicy: Always\n  replicas: 1\nworker:\n  <<: *base\n  replicas: 5\n';
    const edited = setFieldValue(source, 'worker.pullPolicy', 'Never');
    expect(edited).toBe(`${source}  pullPolicy: Never\n`);
    expect(parseYaml(edited)).toMatchObject({ base: { pullPolicy: 'Always' }, worker: { pullPolicy: 'Never' } });
  });

  it('cannot create sequence items', () => {
    expect(() => setFieldValue('a: [1]\n', 'a[3]', 1)).toThrow(expect.objectContaining({ code: 'FIELD_NOT_FOUND' }));
    expect(() => setFieldRaw('a:\n  - 1\n', 'a[1]', '2')).toThrow(expect.objectContaining({ code: 'FIELD_NOT_FOUND' }));
    expect(() => setFieldValue('a: {}\n', 'a.b[0]', 1)).toThrow(expect.objectContaining({ code: 'FIELD_NOT_FOUND' }));
    expect(() => setFieldValue('a: 1\n', 'a.b', 1)).toThrow(expect.objectContaining({ code: 'FIELD_NOT_FOUND' }));
  });
});

describe('deleteField', () => {
  it('removes whole lines of a block pair, trailing comment included', () => {
    const source = 'image:\n  repository: nginx\n  tag: v1 # pinned\n  pullPolicy: Always\nreplicas: 1\n';
    expect(deleteField(source, 'image.tag')).toBe('image:\n  repository: nginx\n  pullPolicy: Always\nreplicas: 1\n');
    expect(deleteField(source, 'image')).toBe('replicas: 1\n');
    expect(deleteField(source, 'replicas')).toBe('image:\n  repository: nginx\n  tag: v1 # pinned\n  pullPolicy: Always\n');
    expect(deleteField('a: 1\nb: 2', 'b')).toBe('a: 1');
    expect(deleteField('a: 1\r\nb: 2\r\nc: 3\r\n', 'b')).toBe('a: 1\r\nc: 3\r\n');
  });

  it('leaves an empty collection behind instead of turning it into null', () => {
    expect(deleteField('a:\n  b: 1\nz: 2\n', 'a.b')).toBe('a: {}\nz: 2\n');
    expect(deleteField('a:\n  - x\nz: 2\n', 'a[0]')).toBe('a: []\nz: 2\n');
  });

  it('handles the first key of a mapping inside a sequence item', () => {
    expect(deleteField('c:\n  - name: a # n\n    image: b\n', 'c[0].name')).toBe('c:\n  - image: b\n');
  });

  it('removes sequence items', () => {
    expect(deleteField('a:\n  - x\n  - y # c\n  - z\n', 'a[1]')).toBe('a:\n  - x\n  - z\n');
  });

  it('removes a flow entry with one adjacent comma', () => {
    expect(deleteField('a: {x: 1, y: 2, z: 3}\n', 'a.x')).toBe('a: {y: 2, z: 3}\n');
    expect(deleteField('a: {x: 1, y: 2, z: 3}\n', 'a.y')).toBe('a: {x: 1, z: 3}\n');
    expect(deleteField('a: {x: 1, y: 2, z: 3}\n', 'a.z')).toBe('a: {x: 1, y: 2}\n');
    expect(deleteField('a: { x: 1 }\n', 'a.x')).toBe('a: {}\n');
    expect(deleteField('a: [x, y, z]\n', 'a[0]')).toBe('a: [y, z]\n');
    expect(deleteField('a: {\n  x: 1,\n  y: 2,\n}\n', 'a.y')).toBe('a: {\n  x: 1,\n}\n');
  });

  it('keeps the blank lines that follow a deleted entry out of a preceding |+ scalar', () => {
    const source = 'a:\n  keep: |+\n    text\n\n  gone: 1\n\nb: 2\n';
    const edited = deleteField(source, 'a.gone');
    expect(parseYaml(edited)).toEqual({ a: { keep: 'text\n\n' }, b: 2 });
  });

  it('reports missing, inherited and shared fields', () => {
    const source = 'base: &base\n  p: 1\nworker:\n  <<: *base\nalias: *base\n';
    expect(() => deleteField(source, 'worker.q')).toThrow(expect.objectContaining({ code: 'FIELD_NOT_FOUND' }));
    expect(() => deleteField(source, 'worker.p')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_EDIT' }));
    expect(() => deleteField(source, 'alias.p')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_EDIT' }));
    expect(() => deleteField(source, 'base')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_EDIT' }));
  });
});

describe('anchors and aliases', () => {
  const source = 'defaults: &defaults\n  pullPolicy: Always\nworker: *defaults\n';

  it('refuses edits through an alias, which would change the anchor too', () => {
    expect(() => setFieldValue(source, 'worker.pullPolicy', 'Never')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_EDIT', message: expect.stringContaining('alias *defaults') }),
    );
  });

  it('edits an anchored value in place; aliases keep pointing at it (documented limitation)', () => {
    const edited = setFieldValue(source, 'defaults.pullPolicy', 'Never');
    expect(edited).toBe('defaults: &defaults\n  pullPolicy: Never\nworker: *defaults\n');
    expect(parseYaml(edited)).toEqual({ defaults: { pullPolicy: 'Never' }, worker: { pullPolicy: 'Never' } });
  });

  it('replaces an alias by a value of its own', () => {
    expect(setFieldValue(source, 'worker', { pullPolicy: 'Never' })).toBe(
      'defaults: &defaults\n  pullPolicy: Always\nworker:\n  pullPolicy: Never\n',
    );
    expect(setFieldRaw('a: &x 1\nb: 2\n', 'b', '*x')).toBe('a: &x 1\nb: *x\n');
  });
});

describe('errors', () => {
  it('reports YAML_PARSE_ERROR for invalid files in every operation', () => {
    const broken = 'image:\n  tag: [v1\n';
    for (const run of [
      () => setFieldValue(broken, 'image.tag', 'v2', 'values.yaml'),
      () => setFieldRaw(broken, 'image.tag', 'v2', 'values.yaml'),
      () => deleteField(broken, 'image.tag', 'values.yaml'),
    ]) {
      expect(run).toThrow(expect.objectContaining({ code: 'YAML_PARSE_ERROR', message: expect.stringContaining('values.yaml') }));
    }
  });

  it('reports FIELD_NOT_FOUND with the field and the file', () => {
    expect(() => deleteField('image:\n  tag: v1\n', 'image.tagg', 'values.yaml')).toThrow(
      expect.objectContaining({ code: 'FIELD_NOT_FOUND', path: 'image.tagg', message: 'field "image.tagg" not found in values.yaml' }),
    );
  });

  it('reports INVALID_FIELD_PATH before looking at the file', () => {
    expect(() => setFieldValue('a: 1\n', 'a[', 1)).toThrow(expect.objectContaining({ code: 'INVALID_FIELD_PATH' }));
  });
});
