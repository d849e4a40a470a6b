import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PathSegment, YamlFieldError, formatFieldPath, parseFieldPath } from '../../src/yaml';

describe('parseFieldPath', () => {
  it.each<[string, PathSegment[]]>([
    ['image', ['image']],
    ['image.tag', ['image', 'tag']],
    ['containers[0].image', ['containers', 0, 'image']],
    ['args[2]', ['args', 2]],
    ['matrix[1][0]', ['matrix', 1, 0]],
    ['[0].name', [0, 'name']],
    ['env["LOG.LEVEL"]', ['env', 'LOG.LEVEL']],
    ["annotations['a.b/c']", ['annotations', 'a.b/c']],
    ['a["x"].b', ['a', 'x', 'b']],
    ['a["q\\"uote"]', ['a', 'q"uote']],
    ["a['it\\'s']", ['a', "it's"]],
    ['a["back\\\\slash"]', ['a', 'back\\slash']],
    ['a[""]', ['a', '']],
    ['services.api-gateway.TIMEOUT_MS', ['services', 'api-gateway', 'TIMEOUT_MS']],
    ['404', ['404']],
    ['spaces in key.x', ['spaces in key', 'x']],
    ["a[\"it's\"]", ['a', "it's"]],
  ])('%s', (path, segments) => {
    expect(parseFieldPath(path)).toEqual(segments);
  });

  it.each([
    ['', 'empty'],
    ['.a', 'empty segment'],
    ['a.', 'empty segment'],
    ['a..b', 'empty segment'],
    ['a[0', 'unbalanced'],
    ['a]', 'unbalanced'],
    ['a[0]b', 'expected'],
    ['a["x"', 'unbalanced'],
    ['a["x', 'unterminated'],
    ['a["x"b]', 'unbalanced'],
    ['a[x]', 'neither'],
    ['a[-1]', 'neither'],
    ['a[01]', 'neither'],
    ['a[ 1 ]', 'neither'],
    ['a.[0]', 'unexpected'],
    ['a["\\n"]', 'escape'],
  ])('rejects %j', (path, reason) => {
    const error = captureError(() => parseFieldPath(path));
    expect(error).toBeInstanceOf(YamlFieldError);
    expect(error).toMatchObject({ code: 'INVALID_FIELD_PATH', path });
    expect((error as Error).message).toContain(reason);
  });
});

describe('formatFieldPath', () => {
  it.each<[PathSegment[], string]>([
    [['image', 'tag'], 'image.tag'],
    [['containers', 0, 'image'], 'containers[0].image'],
    [[0, 'name'], '[0].name'],
    [['env', 'LOG.LEVEL'], 'env["LOG.LEVEL"]'],
    [['annotations', 'a.b/c'], 'annotations["a.b/c"]'],
    [['a', 'q"uote\\'], 'a.q"uote\\'],
    [['a', 'q".x\\'], 'a["q\\".x\\\\"]'],
    [['a', ''], 'a[""]'],
    [['a', ' padded '], 'a[" padded "]'],
    [['x[1]'], '["x[1]"]'],
    [[], ''],
  ])('%j → %s', (segments, path) => {
    expect(formatFieldPath(segments)).toBe(path);
  });

  it('rejects indices that are not natural numbers', () => {
    expect(() => formatFieldPath(['a', -1])).toThrow(YamlFieldError);
    expect(() => formatFieldPath(['a', 1.5])).toThrow(YamlFieldError);
  });

  it('is the inverse of parseFieldPath', () => {
    const segment = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.nat());
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segments) => {
        const path = formatFieldPath(segments);
        expect(parseFieldPath(path)).toEqual(segments);
        expect(formatFieldPath(parseFieldPath(path))).toBe(path);
      }),
      { numRuns: 1000 },
    );
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
