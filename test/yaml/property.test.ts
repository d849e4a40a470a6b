import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PathSegment, deleteField, formatFieldPath, readField, setFieldRaw, setFieldValue } from '../../src/yaml';
import { editableBlockMapPaths, editableLeafPaths, loadCorpus } from './corpus-helpers';

/**
 * A one-line block sequence (`- ALL`) says nothing about whether it sat at its key's column or
 * one step deeper; once replaced by a scalar, setFieldRaw takes the file's other sequences as the
 * guide (see patch.test.ts), which a file without other sequences cannot give.
 */
function isRecoverable(source: string, segments: PathSegment[]): boolean {
  const read = readField(source, formatFieldPath(segments));
  return !(read.found && read.kind === 'seq' && read.raw.startsWith('-') && !read.raw.includes('\n'));
}

const corpus = loadCorpus().map((file) => ({
  ...file,
  leaves: editableLeafPaths(file.source).filter((segments) => isRecoverable(file.source, segments)),
  blockMaps: editableBlockMapPaths(file.source),
}));

const trickyStrings = fc.constantFrom(
  'true', 'false', 'yes', 'no', 'on', '~', 'null', '022', '0x1F', '1.0', '1e3', '.inf', '2024-01-31',
  '- item', 'a: b', 'a #b', '#c', '*alias', '&anchor', '!tag', '{x}', '[y]', '|', '>', '%x', '@x', '`x`',
  '', ' ', ' lead', 'trail ', 'multi\nline', 'multi\nline\n', 'x\r\ny', '\t', "'single'", '"double"',
  '---', '...', 'ünïcødé', '🚀', '\u0000', '\u2028', 'a\\b', '<<',
);

const scalarValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  trickyStrings,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);

const safeKey = fc.string({ minLength: 1, maxLength: 12 }).filter((key) => key !== '__proto__');

const newValue: fc.Arbitrary<unknown> = fc.oneof(
  scalarValue,
  fc.array(scalarValue, { maxLength: 3 }),
  fc.dictionary(safeKey, scalarValue, { maxKeys: 3 }),
);

describe('yaml patch properties', () => {
  it('setFieldValue then setFieldRaw with the old raw text restores the file byte for byte', () => {
    fc.assert(
      fc.property(fc.constantFrom(...corpus), fc.nat(), scalarValue, (file, pick, value) => {
        const path = formatFieldPath(file.leaves[pick % file.leaves.length]!);
        const before = readField(file.source, path);
        if (!before.found) throw new Error(`${file.name}: ${path} not found`);

        const edited = setFieldValue(file.source, path, value);

        expect(readField(edited, path)).toMatchObject({ found: true, value });
        expect(setFieldRaw(edited, path, before.raw)).toBe(file.source);
      }),
      { numRuns: 600 },
    );
  });

  it('inserting a missing key into a block mapping and deleting it restores the file byte for byte', () => {
    fc.assert(
      fc.property(fc.constantFrom(...corpus), fc.nat(), safeKey, newValue, (file, pick, key, value) => {
        const parent = file.blockMaps[pick % file.blockMaps.length]!;
        const path = formatFieldPath([...parent, key]);
        fc.pre(!readField(file.source, path).found);

        const inserted = setFieldValue(file.source, path, value);

        expect(readField(inserted, path)).toMatchObject({ found: true, value });
        expect(deleteField(inserted, path)).toBe(file.source);
      }),
      { numRuns: 600 },
    );
  });
});
