/**
 * A value ready to be placed into a file: text lines plus what is known about their indentation.
 * Lines after the first carry absolute indentation from wherever the text came from.
 */
import { parseDocument, type Document, type Node, isAlias, isMap, isScalar, isSeq, visit } from 'yaml';
import { PARSE_OPTIONS, assertUniqueKeys } from './document';
import { isBlockScalar } from './locate';
import { indentOf, isBlank, isCommentLine, spaces, splitLines } from './text';

export type ValueShape =
  | { kind: 'empty' }
  /** A scalar, alias or flow collection; continuation lines only need to be deeper than the parent. */
  | { kind: 'inline'; lines: string[] }
  /** `|`/`>` header then body lines, indented for a parent at `parentColumn` (null: unknown). */
  | { kind: 'blockScalar'; lines: string[]; parentColumn: number | null }
  | BlockCollectionShape;

export interface BlockCollectionShape {
  kind: 'blockCollection';
  lines: string[];
  collection: 'map' | 'seq';
  /** Ways to read the lines, by the column the first line had (null: a single line, any column). */
  readings: BlockReading[] | null;
  /** Text copied from a file: when its own column fits the target, it is kept unchanged. */
  fromSource: boolean;
}

/** One structure the lines can have, and the first-line columns that give it. */
export interface BlockReading {
  lo: number;
  hi: number;
  /** Paths of the reading's leaves, to compare with the value being replaced. */
  leafPaths: Set<string>;
  multilinePlainScalars: number;
  emptyValues: number;
}

/** Classifies raw YAML text given by a caller (typically `readField(...).raw` of another version). */
export function shapeFromRaw(raw: string): ValueShape | undefined {
  const lines = splitLines(raw.replace(/^(?:[ \t]*\r?\n)+/, '').replace(/[\r\n]+$/, ''));
  lines[0] = lines[0]!.trimStart();
  if (lines.length === 1 && lines[0] === '') return { kind: 'empty' };
  const asWritten = parseStandalone(lines.join('\n'));
  const root = asWritten?.contents;
  if (asWritten && isScalar(root) && isBlockScalar(root)) return { kind: 'blockScalar', lines, parentColumn: null };
  if (asWritten && !isBlockCollection(root)) return { kind: 'inline', lines };
  return analyzeBlockCollection(lines);
}

function parseStandalone(text: string): Document.Parsed | undefined {
  const document = parseDocument(text, PARSE_OPTIONS);
  if (document.errors.length > 0) return undefined;
  try {
    assertUniqueKeys(text, document);
  } catch {
    return undefined;
  }
  return document;
}

function isBlockCollection(node: unknown): node is Node & { flow?: boolean } {
  return (isMap(node) || isSeq(node)) && !node.flow;
}

/**
 * Raw text starts at the node, so the column its first line had is unknown while later lines are
 * absolute: `runAsUser:\n  fsGroup: 2000` is two keys if it started at column 2 but a nested
 * mapping if it started at 0 or 1. Every column that parses gives a reading; the caller picks one
 * knowing what it replaces (see chooseReading).
 */
function analyzeBlockCollection(lines: string[]): BlockCollectionShape | undefined {
  const laterLines = lines.slice(1).filter((line) => !isBlank(line) && !isCommentLine(line));
  const maxColumn = laterLines.length === 0 ? 0 : Math.min(...laterLines.map(indentOf));
  const readings = new Map<string, BlockReading>();
  let collection: 'map' | 'seq' | undefined;
  for (let column = 0; column <= maxColumn; column += 1) {
    const text = spaces(column) + lines.join('\n');
    const document = parseStandalone(text);
    const root = document?.contents;
    if (!document || !isBlockCollection(root) || root.range?.[0] !== column) continue;
    collection = isMap(root) ? 'map' : 'seq';
    const key = fingerprint(root);
    const known = readings.get(key);
    if (known) known.hi = column;
    else readings.set(key, { lo: column, hi: column, leafPaths: leafPaths(root), ...oddities(document, text) });
  }
  if (!collection) return undefined;
  return {
    kind: 'blockCollection',
    lines,
    collection,
    readings: laterLines.length === 0 ? null : [...readings.values()],
    fromSource: true,
  };
}

/** Multi-line plain scalars and empty values are legal but rare, which makes readings suspect. */
function oddities(document: Document.Parsed, text: string): Pick<BlockReading, 'multilinePlainScalars' | 'emptyValues'> {
  let multilinePlainScalars = 0;
  let emptyValues = 0;
  visit(document, {
    Scalar(_key, scalar) {
      const [start, end] = scalar.range ?? [0, 0];
      if (scalar.type === 'PLAIN' && text.slice(start, end).includes('\n')) multilinePlainScalars += 1;
      if (scalar.value === null && start === end) emptyValues += 1;
    },
  });
  return { multilinePlainScalars, emptyValues };
}

function fingerprint(node: unknown): string {
  if (isMap(node)) return `{${node.items.map((pair) => `${fingerprint(pair.key)}:${fingerprint(pair.value)}`).join(',')}}`;
  if (isSeq(node)) return `[${node.items.map(fingerprint).join(',')}]`;
  if (isAlias(node)) return `*${node.source}`;
  if (isScalar(node)) return JSON.stringify(node.value) ?? String(node.value);
  return '~';
}

/** `a.b`, `a.list.0`… for every leaf under a node: its shape, regardless of the values. */
export function leafPaths(node: unknown, prefix = '', into = new Set<string>()): Set<string> {
  if (isMap(node) && node.items.length > 0) {
    for (const pair of node.items) leafPaths(pair.value, `${prefix}.${fingerprint(pair.key)}`, into);
  } else if (isSeq(node) && node.items.length > 0) {
    node.items.forEach((item, index) => leafPaths(item, `${prefix}.${index}`, into));
  } else {
    into.add(prefix);
  }
  return into;
}

/** Readings of lines generated for a first line at column 0. */
export function generatedReadings(): BlockReading[] {
  return [{ lo: 0, hi: 0, leafPaths: new Set(), multilinePlainScalars: 0, emptyValues: 0 }];
}

/**
 * The reading to use when the shape replaces `current` with its first line at `targetColumn`:
 * the one shaped most like the current value (rollbacks rarely change structure), then one
 * without multi-line plain scalars (`- a\n  - b` is two items, not "a - b"), then one where the
 * text was already at the target column, then one with fewer empty values, then the leftmost.
 */
export function chooseReading(shape: BlockCollectionShape, current: unknown, targetColumn: number): BlockReading | null {
  if (!shape.readings) return null;
  const currentPaths = isMap(current) || isSeq(current) ? leafPaths(current) : new Set<string>();
  const overlap = (reading: BlockReading): number => [...reading.leafPaths].filter((path) => currentPaths.has(path)).length;
  const fits = (reading: BlockReading): number => (reading.lo <= targetColumn && targetColumn <= reading.hi ? 0 : 1);
  const ranked = [...shape.readings].sort(
    (a, b) =>
      overlap(b) - overlap(a) ||
      a.multilinePlainScalars - b.multilinePlainScalars ||
      fits(a) - fits(b) ||
      a.emptyValues - b.emptyValues ||
      a.lo - b.lo,
  );
  return ranked[0] ?? null;
}

/**
 * Which column the first line had in its source, given the reading and where it will be placed.
 * When several columns read alike (`limits:\n    cpu: 1`), the lines stay where they are if that
 * leaves a plausible indentation below the first line; otherwise children go one step deeper.
 */
export function sourceColumnFor(reading: BlockReading | null, targetColumn: number, step: number): number {
  if (!reading) return targetColumn;
  if (reading.lo === reading.hi) return reading.lo;
  const childGap = reading.hi + 1 - targetColumn;
  if (targetColumn >= reading.lo && childGap >= 1 && childGap <= 2 * step) return targetColumn;
  return Math.min(reading.hi, Math.max(reading.lo, reading.hi - step + 1));
}

/** Moves every line but the first (which is placed by the caller) by `delta` columns. */
export function shiftLaterLines(lines: readonly string[], delta: number): string[] {
  if (delta === 0) return [...lines];
  return lines.map((line, index) => {
    if (index === 0 || line === '') return line;
    return delta > 0 ? spaces(delta) + line : line.slice(Math.min(-delta, indentOf(line)));
  });
}

/** Block scalar bodies must be deeper than their parent; keep them where they are when they are. */
export function layoutBlockScalar(
  shape: Extract<ValueShape, { kind: 'blockScalar' }>,
  parentColumn: number,
  step: number,
): string[] {
  if (shape.parentColumn !== null) return shiftLaterLines(shape.lines, parentColumn - shape.parentColumn);
  const body = shape.lines.slice(1).filter((line) => !isBlank(line));
  if (body.length === 0) return [...shape.lines];
  const bodyColumn = Math.min(...body.map(indentOf));
  if (bodyColumn > parentColumn) return [...shape.lines];
  const indicator = indentationIndicator(shape.lines[0]!);
  return shiftLaterLines(shape.lines, parentColumn + (indicator ?? step) - bodyColumn);
}

/**
 * Continuation lines of multi-line flow collections and scalars must be deeper than the parent;
 * a closing `}` or `]` may sit at the parent's column.
 */
export function layoutInline(lines: readonly string[], parentColumn: number, step: number): string[] {
  const later = lines.slice(1).filter((line) => !isBlank(line));
  if (later.length === 0) return [...lines];
  const fits = later.every(
    (line) => indentOf(line) > parentColumn || (indentOf(line) === parentColumn && /^\s*[}\]]/.test(line)),
  );
  return fits ? [...lines] : shiftLaterLines(lines, parentColumn + step - Math.min(...later.map(indentOf)));
}

function indentationIndicator(header: string): number | undefined {
  const match = /(?:^|\s)[|>](?:([1-9])[+-]?|[+-]([1-9]))/.exec(header);
  const digit = match?.[1] ?? match?.[2];
  return digit === undefined ? undefined : Number(digit);
}
