import { describe, expect, it } from 'vitest';
import { compareFiles, summarizeChanges } from '../../src/domain/diff/compare-files';

const files = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe('changes summaries (history "Changes" column)', () => {
  it('names the service, the field and both values', () => {
    const diff = compareFiles(
      files({ 'services/api/values.yaml': 'image:\n  tag: v2.0.9\nreplicas: 2\n' }),
      files({ 'services/api/values.yaml': 'image:\n  tag: v2.1.0\nreplicas: 2\n' }),
    );
    expect(summarizeChanges(diff)).toEqual(['api: image.tag v2.0.9 → v2.1.0']);
  });

  it('says when a service is added or removed, and names environment-level fields', () => {
    const diff = compareFiles(
      files({ 'services/old/values.yaml': 'a: 1\n', 'environment.yaml': 'cluster: a\n', 'variables.yaml': 'REGION: x\nservices:\n  new:\n    T: "1"\n' }),
      files({ 'services/new/values.yaml': 'a: 1\n', 'environment.yaml': 'cluster: b\n', 'variables.yaml': 'REGION: y\nservices:\n  new:\n    T: "2"\n' }),
    );
    expect(summarizeChanges(diff)).toEqual([
      'new: service added',
      'old: service removed',
      'environment: cluster a → b',
      'variables: REGION x → y',
    ]);
  });

  it('says a whole environment-level file was added or removed instead of listing its fields', () => {
    const diff = compareFiles(files({ 'environment.yaml': 'a: 1\nb: 2\n' }), files({ 'variables.yaml': 'X: 1\nY: 2\n' }));
    expect(summarizeChanges(diff)).toEqual(['environment.yaml removed', 'variables.yaml added']);
  });

  it('says a service file was added or removed as a whole, and names other files', () => {
    const diff = compareFiles(
      files({ 'services/api/values.yaml': 'a: 1\n', 'services/api/bindings.yaml': 'kustomize:\n  base: x\n' }),
      files({ 'services/api/values.yaml': 'a: 1\n', 'services/api/NOTES.md': 'hi\n' }),
    );
    expect(summarizeChanges(diff)).toEqual(['api: services/api/NOTES.md added', 'api: services/api/bindings.yaml removed']);
  });

  it('describes lists by their changed elements, at most three lines per field', () => {
    const before = 'ports: [1, 2, 3, 4, 5]\n';
    const after = 'ports: [1, 20, 30, 40, 50, 60]\n';
    const diff = compareFiles(files({ 'services/api/values.yaml': before }), files({ 'services/api/values.yaml': after }));
    expect(summarizeChanges(diff)).toEqual([
      'api: ports[1] 2 → 20',
      'api: ports[2] 3 → 30',
      'api: ports[3] 4 → 40',
      'api: ports: 2 more changes',
    ]);
  });

  it('reports a file that is not valid YAML instead of failing', () => {
    const diff = compareFiles(files({ 'services/api/values.yaml': 'a: 1\n' }), files({ 'services/api/values.yaml': 'a: [1\n' }));
    expect(diff.files[0]!.parseError).toMatch(/invalid YAML/);
    expect(summarizeChanges(diff)).toEqual(['api: services/api/values.yaml changed (not valid YAML)']);
  });

  it('keeps long values readable and caps the number of lines', () => {
    const long = `registry.example.com/${'x'.repeat(80)}`;
    const diff = compareFiles(files({ 'services/api/values.yaml': `image: a\n` }), files({ 'services/api/values.yaml': `image: ${long}\n` }));
    const [line] = summarizeChanges(diff);
    expect(line!.length).toBeLessThan(150);
    expect(line).toMatch(/…$/);
    const many = Object.fromEntries([...Array(20).keys()].map((i) => [`services/s${i}/values.yaml`, `tag: v${i}\n`]));
    const bumped = Object.fromEntries([...Array(20).keys()].map((i) => [`services/s${i}/values.yaml`, `tag: v${i + 1}\n`]));
    const summary = summarizeChanges(compareFiles(files(many), files(bumped)));
    expect(summary).toHaveLength(13);
    expect(summary.at(-1)).toBe('… and 8 more changes');
  });
});
