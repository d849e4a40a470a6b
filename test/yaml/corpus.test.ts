import { describe, expect, it } from 'vitest';
import { type PathSegment, formatFieldPath, parseYaml, readField, setFieldValue } from '../../src/yaml';
import {
  type ChangedRegion,
  changedRegions,
  editableLeafPaths,
  fieldLineSpan,
  lineEndingsOf,
  loadCorpus,
  setIn,
} from './corpus-helpers';

const corpus = loadCorpus();

const NEW_VALUES: unknown[] = [
  'v9.9.9-rc.1',
  42,
  true,
  'true',
  'key: value',
  null,
  3.25,
  'multi\nline\ntext\n',
  "it's",
  '',
  '*not-an-alias',
  'Grüße 🚀',
  -7,
  '022',
  false,
  '# not a comment',
  'trailing space ',
  '1.10',
];

/** A spread of leaves: first, last, the deepest, some inside sequences, and an even sample. */
function chooseLeaves(paths: PathSegment[][]): PathSegment[][] {
  if (paths.length <= 8) return paths;
  const deepest = paths.reduce((a, b) => (b.length > a.length ? b : a));
  const inSequences = paths.filter((path) => path.some((segment) => typeof segment === 'number')).slice(0, 2);
  const sample = [0, 0.25, 0.5, 0.75].map((fraction) => paths[Math.floor(fraction * paths.length)]!);
  const chosen = new Map<string, PathSegment[]>();
  for (const path of [...sample, paths.at(-1)!, deepest, ...inSequences]) chosen.set(formatFieldPath(path), path);
  return [...chosen.values()];
}

function newValueFor(current: unknown, seed: number): unknown {
  for (let offset = 0; ; offset += 1) {
    const candidate = NEW_VALUES[(seed + offset) % NEW_VALUES.length];
    if (!Object.is(candidate, current)) return candidate;
  }
}

describe('yaml corpus', () => {
  it('has at least 30 files, three of them with CRLF line endings', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    expect(corpus.filter((file) => file.source.includes('\r\n')).length).toBeGreaterThanOrEqual(3);
    expect(corpus.some((file) => !file.source.endsWith('\n'))).toBe(true);
  });

  describe.each(corpus)('$name', ({ name, source }) => {
    const original = parseYaml(source, name);
    const leaves = chooseLeaves(editableLeafPaths(source));

    it('parses and offers editable leaves', () => {
      expect(original).toBeTypeOf('object');
      expect(leaves.length).toBeGreaterThan(0);
    });

    it.each(leaves.map((segments, index) => ({ path: formatFieldPath(segments), segments, index })))(
      'setFieldValue($path) changes only that field',
      ({ path, segments, index }) => {
        const before = readField(source, path, name);
        expect(before.found).toBe(true);
        const value = newValueFor(before.found ? before.value : undefined, index + name.length);

        const edited = setFieldValue(source, path, value, name);

        const after = readField(edited, path, name);
        expect(after).toMatchObject({ found: true });
        expect(after.found && after.value).toEqual(value);
        expect(parseYaml(edited, name)).toEqual(setIn(original, segments, value));
        expectConfinedToField(source, edited, segments);
        expectSameLineEndings(source, edited);
      },
    );
  });
});

/** The bytes before and after one span are untouched, and that span lies within the field's lines. */
function expectConfinedToField(source: string, edited: string, segments: PathSegment[]): void {
  const regions = changedRegions(source, edited);
  if (regions.length === 0) return;
  const [fieldStart, fieldEnd] = fieldLineSpan(source, segments);
  const [editedFieldStart, editedFieldEnd] = fieldLineSpan(edited, segments);
  const confined = (region: ChangedRegion): boolean =>
    region.start >= fieldStart &&
    region.originalEnd <= fieldEnd &&
    region.start >= editedFieldStart &&
    region.editedEnd <= editedFieldEnd;
  expect(regions.some(confined), `changes outside ${formatFieldPath(segments)}: ${JSON.stringify(regions)}`).toBe(true);
  for (const region of regions) {
    expect(edited.slice(0, region.start)).toBe(source.slice(0, region.start));
    expect(edited.slice(region.editedEnd)).toBe(source.slice(region.originalEnd));
  }
}

function expectSameLineEndings(source: string, edited: string): void {
  const before = lineEndingsOf(source);
  const after = lineEndingsOf(edited);
  if (before.crlf > 0 && before.lf === 0) expect(after.lf).toBe(0);
  if (before.crlf === 0) expect(after.crlf).toBe(0);
}
