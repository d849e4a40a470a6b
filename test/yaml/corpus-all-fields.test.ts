import { describe, expect, it } from 'vitest';
import { type PathSegment, deleteField, formatFieldPath, parseYaml, readField, setFieldRaw, setFieldValue } from '../../src/yaml';
import { allFieldPaths, hasMergeKey, isIndependentField, loadCorpus } from './corpus-helpers';

/** Every field of every corpus file, collections included: replace and restore, and delete. */
describe.each(loadCorpus())('every field of $name', ({ name, source }) => {
  const original = parseYaml(source);
  const fields = allFieldPaths(source).filter((segments) => isIndependentField(source, segments));

  it('restores byte for byte after being replaced by a scalar or a mapping', () => {
    for (const segments of fields) {
      const path = formatFieldPath(segments);
      const before = readField(source, path, name);
      if (!before.found) throw new Error(`${path} not found`);
      const oneLineSequence = before.kind === 'seq' && before.raw.startsWith('-') && !before.raw.includes('\n');

      const restored = setFieldRaw(setFieldValue(source, path, 'replaced'), path, before.raw);
      // A one-line block sequence may come back at its key's column or one step deeper.
      if (oneLineSequence) expect(parseYaml(restored), path).toEqual(original);
      else expect(restored, path).toBe(source);

      const fromMapping = setFieldRaw(setFieldValue(source, path, { k: 'v', list: [1, 2] }), path, before.raw);
      expect(parseYaml(fromMapping), path).toEqual(original);
    }
  });

  it('deletes exactly the field', () => {
    for (const segments of fields.filter((field) => !hasMergeKey(source, field.slice(0, -1)))) {
      const path = formatFieldPath(segments);
      expect(parseYaml(deleteField(source, path, name)), path).toEqual(withoutField(original, segments));
    }
  });
});

function withoutField(value: unknown, segments: readonly PathSegment[]): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  const parent = segments.slice(0, -1).reduce((node, segment) => node[segment] as typeof node, copy);
  const last = segments.at(-1)!;
  if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}
