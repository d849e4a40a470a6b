/** Shared helpers for the yaml tests: the fixture corpus and ways to pick fields in it. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Node, type ParsedNode, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { type PathSegment, formatFieldPath, parseYaml } from '../../src/yaml';

export interface CorpusFile {
  name: string;
  source: string;
}

const CORPUS_DIR = fileURLToPath(new URL('../fixtures/yaml-corpus/', import.meta.url));

export function loadCorpus(): CorpusFile[] {
  return readdirSync(CORPUS_DIR)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => ({ name, source: readFileSync(CORPUS_DIR + name, 'utf8') }));
}

/** Every path to a scalar or empty collection, descending into mappings and sequences. */
export function deepLeafPaths(value: unknown, prefix: PathSegment[] = []): PathSegment[][] {
  if (Array.isArray(value) && value.length > 0) return value.flatMap((item, index) => deepLeafPaths(item, [...prefix, index]));
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    return Object.entries(value).flatMap(([key, item]) => deepLeafPaths(item, [...prefix, key]));
  }
  return prefix.length > 0 ? [prefix] : [];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * True when editing the field in place changes that field only: the path crosses no alias,
 * no key inherited through `<<`, and no anchored node (whose aliases would follow the edit or,
 * for an anchor inside the value, dangle).
 */
export function isIndependentField(source: string, segments: readonly PathSegment[]): boolean {
  const document = parseDocument(source, { merge: true });
  let node: Node | null | undefined = document.contents;
  for (const segment of segments) {
    if (!node || isAlias(node) || hasAnchor(node)) return false;
    if (typeof segment === 'string') {
      if (!isMap(node)) return false;
      const pair = node.items.find((item) => isScalar(item.key) && keyText(item.key.value) === segment);
      if (!pair) return false;
      node = pair.value as Node | null;
    } else {
      if (!isSeq(node)) return false;
      node = node.items[segment] as Node | undefined;
    }
  }
  return !containsAnchor(node);
}

/** An anchor inside a replaced or deleted value would leave its aliases dangling. */
function containsAnchor(node: unknown): boolean {
  if (isAlias(node) || !node || typeof node !== 'object') return false;
  if (hasAnchor(node as Node)) return true;
  if (isMap(node)) return node.items.some((pair) => containsAnchor(pair.value));
  if (isSeq(node)) return node.items.some(containsAnchor);
  return false;
}

function hasAnchor(node: Node): boolean {
  return !isAlias(node) && typeof node.anchor === 'string';
}

function keyText(value: unknown): string | undefined {
  if (typeof value === 'symbol') return undefined;
  return value === null ? '' : String(value);
}

/** Editable scalar leaves plus flattenLeaves-style leaves (whole sequences, empty maps). */
export function editableLeafPaths(source: string): PathSegment[][] {
  const value = parseYaml(source);
  const deep = deepLeafPaths(value);
  const sequences = wholeSequencePaths(value);
  const unique = new Map<string, PathSegment[]>();
  for (const path of [...deep, ...sequences]) unique.set(formatFieldPath(path), path);
  return [...unique.values()].filter((path) => isIndependentField(source, path));
}

function wholeSequencePaths(value: unknown, prefix: PathSegment[] = []): PathSegment[][] {
  if (Array.isArray(value)) return prefix.length > 0 ? [prefix] : [];
  if (!isPlainObject(value)) return [];
  return Object.entries(value).flatMap(([key, item]) => wholeSequencePaths(item, [...prefix, key]));
}

/** Every key and sequence item of the document, collections included, outside aliases. */
export function allFieldPaths(source: string): PathSegment[][] {
  const found: PathSegment[][] = [];
  const walk = (node: unknown, path: PathSegment[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? keyText(pair.key.value) : undefined;
        if (key === undefined) continue;
        found.push([...path, key]);
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        found.push([...path, index]);
        walk(item, [...path, index]);
      });
    }
  };
  walk(parseDocument(source, { merge: true }).contents, []);
  return found;
}

/** Whether the mapping at `segments` has a `<<` merge key (deleting a key may reveal an inherited one). */
export function hasMergeKey(source: string, segments: readonly PathSegment[]): boolean {
  const node = parseDocument(source, { merge: true }).getIn(segments, true);
  return isMap(node) && node.items.some((pair) => isScalar(pair.key) && typeof pair.key.value === 'symbol');
}

/** Paths of block mappings that can receive a new key by an in-place edit. */
export function editableBlockMapPaths(source: string): PathSegment[][] {
  const document = parseDocument(source, { merge: true });
  const found: PathSegment[][] = [];
  const walk = (node: unknown, path: PathSegment[]): void => {
    if (isAlias(node)) return;
    if (isMap(node)) {
      if (!node.flow && node.items.length > 0) found.push(path);
      for (const pair of node.items) {
        if (isScalar(pair.key) && typeof pair.key.value !== 'symbol') walk(pair.value, [...path, keyText(pair.key.value)!]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...path, index]));
    }
  };
  walk(document.contents, []);
  return found.filter((path) => path.length === 0 || isIndependentField(source, path));
}

export interface ChangedRegion {
  /** First differing offset (same in both texts). */
  start: number;
  /** End of the changed region in the original and in the edited text. */
  originalEnd: number;
  editedEnd: number;
}

/**
 * The single span where two texts differ. An insertion next to equal text can be aligned in
 * several ways ("\n  a: 1" after a line, or "  a: 1\n" before the next), so both the
 * leftmost-ending and the rightmost-starting alignments are returned.
 */
export function changedRegions(original: string, edited: string): ChangedRegion[] {
  if (original === edited) return [];
  return [prefixFirst(original, edited), suffixFirst(original, edited)];
}

function prefixFirst(original: string, edited: string): ChangedRegion {
  const start = commonPrefix(original, edited, 0);
  const suffix = commonSuffix(original, edited, start);
  return { start, originalEnd: original.length - suffix, editedEnd: edited.length - suffix };
}

function suffixFirst(original: string, edited: string): ChangedRegion {
  const suffix = commonSuffix(original, edited, 0);
  const start = commonPrefix(original.slice(0, original.length - suffix), edited.slice(0, edited.length - suffix), 0);
  return { start, originalEnd: original.length - suffix, editedEnd: edited.length - suffix };
}

function commonPrefix(a: string, b: string, from: number): number {
  let length = from;
  while (length < a.length && length < b.length && a[length] === b[length]) length += 1;
  return length;
}

function commonSuffix(a: string, b: string, keepPrefix: number): number {
  let length = 0;
  while (
    length < a.length - keepPrefix &&
    length < b.length - keepPrefix &&
    a[a.length - 1 - length] === b[b.length - 1 - length]
  ) {
    length += 1;
  }
  return length;
}

/** `[start of the field's first line, end of its last line]`: the text an edit may touch. */
export function fieldLineSpan(source: string, segments: readonly PathSegment[]): [number, number] {
  const document = parseDocument(source, { merge: true });
  let node: ParsedNode | null = document.contents as ParsedNode | null;
  let start = 0;
  for (const segment of segments) {
    if (typeof segment === 'string' && isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && keyText(item.key.value) === segment)!;
      start = (pair.key as ParsedNode).range[0];
      node = pair.value as ParsedNode | null;
    } else if (typeof segment === 'number' && isSeq(node)) {
      node = node.items[segment] as ParsedNode;
      start = node.range[0];
    } else {
      throw new Error(`cannot follow ${formatFieldPath(segments)}`);
    }
  }
  const valueEnd = node ? trimBreaks(source, node.range[1]) : start;
  const lineStart = source.lastIndexOf('\n', start - 1) + 1;
  const newline = source.indexOf('\n', Math.max(valueEnd, start));
  // The line break ending the field counts: lines inserted after it are indistinguishable from
  // lines inserted before it.
  return [lineStart, newline < 0 ? source.length : newline + 1];
}

function trimBreaks(source: string, end: number): number {
  let trimmed = end;
  while (trimmed > 0 && (source[trimmed - 1] === '\n' || source[trimmed - 1] === '\r')) trimmed -= 1;
  return trimmed;
}

export function setIn(root: unknown, segments: readonly PathSegment[], value: unknown): unknown {
  const copy = structuredClone(root);
  let current = copy as Record<string | number, unknown>;
  segments.slice(0, -1).forEach((segment) => {
    current = current[segment] as Record<string | number, unknown>;
  });
  current[segments.at(-1)!] = value;
  return copy;
}

export function lineEndingsOf(text: string): { crlf: number; lf: number } {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  return { crlf, lf: (text.match(/\n/g) ?? []).length - crlf };
}
