/**
 * A file known as an edit of a parsed one (src/yaml/edited.ts: only the edited entry is parsed again)
 * reads exactly like the same text parsed in full: the same value, the same fields with the same raw
 * text, and the same error when it is not valid YAML. Random splices anywhere in the corpus files,
 * and the edits setFieldValue makes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PathSegment, forgetParsedDocuments, formatFieldPath, parseYaml, readField, rememberAsEditOf, setFieldValue } from '../../src/yaml';
import { textOf } from '../../src/yaml/texts';
import { deepLeafPaths, loadCorpus } from './corpus-helpers';

const corpus = loadCorpus().filter((file) => {
  try {
    parseYaml(file.source);
    return true;
  } catch {
    return false;
  }
});

/** Every path to a node (leaves and the mappings and sequences above them), plus some that do not exist. */
function pathsOf(value: unknown): PathSegment[][] {
  const paths = new Map<string, PathSegment[]>();
  for (const leaf of deepLeafPaths(value)) {
    for (let depth = 1; depth <= leaf.length; depth++) paths.set(JSON.stringify(leaf.slice(0, depth)), leaf.slice(0, depth));
    paths.set(JSON.stringify([...leaf, 'missing']), [...leaf, 'missing']);
  }
  return [...paths.values()];
}

type Reading = { error: string } | { value: unknown; fields: unknown[] };

function read(source: string, paths: PathSegment[][]): Reading {
  try {
    const value = parseYaml(source);
    const fields = paths.map((segments) => {
      try {
        return readField(source, formatFieldPath(segments));
      } catch (error) {
        return { error: (error as Error).message };
      }
    });
    return { value: structuredClone(value), fields };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** `edited` read as an edit of `base`, then parsed in full from scratch; whether the fast way was taken. */
function bothWays(base: string, edited: string): { derived: Reading; full: Reading; fast: boolean } {
  forgetParsedDocuments();
  parseYaml(base);
  rememberAsEditOf(edited, base);
  const fast = textOfOrNull(edited)?.kind === 'edited';
  let value: unknown = null;
  try {
    value = parseYaml(edited);
  } catch {
    // compared below
  }
  const paths = [...pathsOf(parseYaml(base)), ...pathsOf(value)];
  const derived = read(edited, paths);
  forgetParsedDocuments();
  const full = read(edited, paths);
  return { derived, full, fast };
}

function textOfOrNull(source: string) {
  try {
    return textOf(source);
  } catch {
    return null;
  }
}

const fragments = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom(
    '\n', '\n  ', '\n    ', ': ', ' #', '- ', '"', "'", '[', ']', '{', '}', '|', '>', '&a ', '*a', '!!str ', '<<: ', '---', '...', '\t',
    '\nkey: value\n', '\n  nested: 1', 'x', '0', '~', ',', '%YAML 1.2\n', '? ', '\r\n', '\uFEFF',
  ),
);

// Thousands of parses each: seconds alone, far longer on a loaded machine.
describe('an edit parsed through the edited entry', () => {
  it('reads like the same text parsed in full, for random splices of the corpus files', () => {
    let fast = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...corpus),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 12 }),
        fc.array(fragments, { maxLength: 3 }),
        (file, where, removed, inserted) => {
          const start = where % (file.source.length + 1);
          const end = Math.min(file.source.length, start + removed);
          const edited = file.source.slice(0, start) + inserted.join('') + file.source.slice(end);
          if (edited === file.source) return;
          const result = bothWays(file.source, edited);
          if (result.fast) fast++;
          expect(result.derived).toEqual(result.full);
        },
      ),
      { numRuns: 1500 },
    );
    // The fast way must be taken often enough for this to test it.
    expect(fast).toBeGreaterThan(100);
  }, 120_000);

  it('reads like the same text parsed in full, for every leaf of the corpus files set to other values', () => {
    let fast = 0;
    for (const file of corpus) {
      for (const segments of deepLeafPaths(parseYaml(file.source)).slice(0, 40)) {
        for (const value of ['v2.0.1', 42, 'multi\nline', { a: 1 }, null]) {
          let edited: string;
          try {
            forgetParsedDocuments();
            edited = setFieldValue(file.source, formatFieldPath(segments), value);
          } catch {
            continue;
          }
          const result = bothWays(file.source, edited);
          if (result.fast) fast++;
          expect(result.derived, `${file.name} ${formatFieldPath(segments)}`).toEqual(result.full);
        }
      }
    }
    expect(fast).toBeGreaterThan(100);
  }, 120_000);

  it('an anchor written before an entry\'s key (found by the random splices) reads as the full parse does: an error', () => {
    const base = 'master:\n  persistence:\n    enabled: true\n    size: 8Gi\nreplica: 3\n';
    const edited = 'master:\n  persistence:\n&a  enabled: true\n    size: 8Gi\nreplica: 3\n';
    const result = bothWays(base, edited);
    expect(result.full).toEqual({ error: expect.stringContaining('invalid YAML') });
    expect(result.derived).toEqual(result.full);
  });

  it('finds a duplicate key the edit introduced, with the same error as a full parse', () => {
    const base = 'a:\n  x: 1\n  y: 2\nb: 3\n';
    const edited = 'a:\n  x: 1\n  x: 2\nb: 3\n';
    const result = bothWays(base, edited);
    expect(result.full).toEqual({ error: expect.stringContaining('Map keys must be unique ("x" again at line 3)') });
    expect(result.derived).toEqual(result.full);
  });
});
