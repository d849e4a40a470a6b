/**
 * FIELD rollback over the YAML corpus: each realistic file is a service's values.yaml at the
 * target; head changes a few of its leaves; rolling back one of them changes only that value's
 * bytes. Plus a property: a field edited after the target and rolled back restores the file byte
 * for byte.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import { formatFieldPath, readField, setFieldValue, type PathSegment } from '../../src/yaml';
import { changedPaths, changedWindow, createFixture, dirOf, expectOnlyValueReplaced, rollback, rollbackInput, show, type Fixture } from './fixture';

const CORPUS_DIR = fileURLToPath(new URL('../fixtures/yaml-corpus/', import.meta.url));
const corpus = readdirSync(CORPUS_DIR)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => ({ name, source: readFileSync(CORPUS_DIR + name, 'utf8') }));

const DIR = dirOf('acme', 'staging');

/**
 * Paths to plain or quoted scalars of the first document reachable without crossing an anchor, an
 * alias or a merge key (editing those would legitimately change other values too).
 */
function independentScalarPaths(source: string): PathSegment[][] {
  const document = parseAllDocuments(source, { merge: true })[0];
  if (!document || Array.isArray(document)) return [];
  const paths: PathSegment[][] = [];
  const walk = (node: Node | null | undefined, path: PathSegment[]) => {
    if (!node || isAlias(node) || (node as { anchor?: string }).anchor) return;
    if (isScalar(node)) {
      if (path.length > 0 && node.type !== 'BLOCK_LITERAL' && node.type !== 'BLOCK_FOLDED') paths.push(path);
      return;
    }
    if (isMap(node)) {
      // A mapping with a merge key (<<) mixes inherited and own keys: leave it to the YAML module's tests.
      if (node.items.some((pair) => isScalar(pair.key) && pair.key.value === '<<')) return;
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const key = pair.key.value;
        if (typeof key !== 'string' || key === '') continue;
        walk(pair.value as Node | null, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item as Node, [...path, index]));
    }
  };
  walk(document.contents as Node, []);
  return paths;
}

function changedValue(current: unknown, salt: number): unknown {
  if (typeof current === 'number') return current + 1 + salt;
  if (typeof current === 'boolean') return !current;
  if (current === null) return `set-${salt}`;
  return `${String(current)}-changed-${salt}`;
}

/** Up to three leaves spread over the file, edited at head; returns head's source and the edited paths. */
function editLeaves(source: string, name: string): { head: string; edited: PathSegment[][] } {
  const candidates = independentScalarPaths(source);
  const picks = [...new Set([0, Math.floor(candidates.length / 2), candidates.length - 1])].map((i) => candidates[i]!).filter(Boolean);
  let head = source;
  const edited: PathSegment[][] = [];
  for (const [salt, segments] of picks.entries()) {
    const path = formatFieldPath(segments);
    const read = readField(head, path, name);
    if (!read.found) continue;
    try {
      head = setFieldValue(head, path, changedValue(read.value, salt), name);
      edited.push(segments);
    } catch {
      // An edit the YAML module refuses (reported by its own tests) is not this test's subject.
    }
  }
  return { head, edited };
}

describe('FIELD rollback over the YAML corpus', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await createFixture();
  });
  afterAll(() => fx.close());

  it('has at least 30 realistic files, CRLF ones included', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    expect(corpus.some((file) => file.source.includes('\r\n'))).toBe(true);
  });

  it.each(corpus.map((file, index) => ({ ...file, service: `corpus-${index}` })))(
    '$name: only the rolled-back value\'s bytes change, and they are the target\'s',
    async ({ name, source, service }) => {
      const { head: edited, edited: paths } = editLeaves(source, name);
      expect(paths.length, 'editable leaves').toBeGreaterThan(0);
      const valuesPath = `${DIR}/services/${service}/values.yaml`;

      const target = await fx.release('acme', 'staging', [{ service, replaceFiles: [{ file: 'values.yaml', content: source }] }]);
      const head = await fx.release('acme', 'staging', [{ service, replaceFiles: [{ file: 'values.yaml', content: edited }] }]);
      expect(show(fx.repoDir, target, valuesPath)).toBe(source);

      const segments = paths[0]!;
      const path = formatFieldPath(segments);
      const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'FIELD', service, targetRevision: target, fields: [{ file: 'values.yaml', path }] }));

      const after = show(fx.repoDir, sha, valuesPath);
      const wanted = readField(source, path, name);
      const now = readField(after, path, name);
      expect(wanted.found && now.found).toBe(true);
      if (wanted.found && now.found) {
        expect(now.value).toEqual(wanted.value);
        const before = show(fx.repoDir, head, valuesPath);
        if (wanted.raw === '') {
          // A value written as nothing (`key:`): the head's value and the space before it go.
          const window = changedWindow(before, after);
          expect(window.added).toBe('');
          expect(window.removed.trim()).toBe((readField(before, path, name) as { raw: string }).raw);
        } else {
          expectOnlyValueReplaced(before, after, segments, wanted.raw);
        }
      }
      // The other edited leaves keep their head values.
      for (const other of paths.slice(1)) {
        expect(readField(after, formatFieldPath(other), name)).toEqual(readField(edited, formatFieldPath(other), name));
      }
      expect(changedPaths(fx.repoDir, head, sha).filter((p) => !p.endsWith(`manifests/${service}.yaml`))).toEqual([valuesPath]);
      // With a single edited leaf, the rollback restores the target's file exactly.
      if (paths.length === 1) expect(after).toBe(source);
    },
  );
});

describe('FIELD rollback (property)', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await createFixture();
  });
  afterAll(() => fx.close());

  const printable = fc.string({ unit: fc.constantFrom(...'abcXYZ019 .:-_#"\'{}[],&*!|>%@`\\/éü🚀'.split('')), maxLength: 12 });
  const value = fc.oneof(printable, fc.integer({ min: -1000, max: 100000 }), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }));
  const field = fc.constantFrom('image.tag', 'replicas', 'resources.limits.cpu', 'env.LOG_LEVEL', 'ports.http', 'probes.readiness.path');

  it('a field edited after the target and rolled back restores the file byte for byte', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(field, value, async (path, next) => {
        const valuesPath = `${DIR}/services/checkout/values.yaml`;
        const target = fx.head();
        const original = show(fx.repoDir, target, valuesPath);
        fc.pre(JSON.stringify(readField(original, path).found && (readField(original, path) as { value: unknown }).value) !== JSON.stringify(next));
        try {
          await fx.release('acme', 'staging', [{ service: 'checkout', setFields: [{ file: 'values.yaml', path, value: next }] }]);
        } catch (error) {
          // A value the YAML module cannot write in place is refused by the release; nothing to roll back.
          fc.pre((error as { code?: string }).code === undefined);
          throw error;
        }
        const sha = await rollback(fx, rollbackInput('acme', 'staging', { mode: 'FIELD', service: 'checkout', targetRevision: target, fields: [{ file: 'values.yaml', path }] }));
        expect(show(fx.repoDir, sha, valuesPath)).toBe(original);
        expect(show(fx.repoDir, sha, `${DIR}/manifests/checkout.yaml`)).toBe(show(fx.repoDir, target, `${DIR}/manifests/checkout.yaml`));
        runs += 1;
      }),
      { numRuns: 40 },
    );
    expect(runs).toBeGreaterThan(20);
  });
});
