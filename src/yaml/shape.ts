/**
 * A value ready to be placed into a file: text lines plus what is known about their indentation.
 * Lines after the first carry absolute indentation from wherever the text came from.
 */
import { parseDocument, type Document, type Node, isAlias, isMap, isScalar, isSeq, visit } from 'yaml';
import { PARSE_OPTIONS } from './document';
import { isBlockScalar } from './locate';
import { indentOf, isBlank, isCommentLine, spaces, splitLines } from './text';

export interface ColumnRange {
  lo: number;
  hi: number;
}

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
  /** Columns the first line may have had in its source (null when there are no further lines). */
  baseColumns: ColumnRange | null;
  /** Text copied from a file: when its own column fits the target, it is kept unchanged. */
  fromSource: boolean;
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
  return document.errors.length === 0 ? document : undefined;
}

function isBlockCollection(node: unknown): node is Node & { flow?: boolean } {
  return (isMap(node) || isSeq(node)) && !node.flow;
}

interface BaseCandidate {
  column: number;
  penalty: number;
  fingerprint: string;
  collection: 'map' | 'seq';
}

/**
 * The raw text starts at the node, so the column its first line had is unknown; later lines are
 * absolute. Try every column the first line could have had and keep the most plausible reading:
 * one that needs no multi-line plain scalars or empty values (`- a\n  - b` is two items, not
 * the scalar "a - b"), then the columns that read the same way.
 */
function analyzeBlockCollection(lines: string[]): BlockCollectionShape | undefined {
  const laterLines = lines.slice(1).filter((line) => !isBlank(line) && !isCommentLine(line));
  const maxColumn = laterLines.length === 0 ? 0 : Math.min(...laterLines.map(indentOf));
  const candidates: BaseCandidate[] = [];
  for (let column = 0; column <= maxColumn; column += 1) {
    const candidate = readAtColumn(lines, column);
    if (candidate) candidates.push(candidate);
  }
  const best = candidates.reduce<BaseCandidate | undefined>(
    (chosen, candidate) => (!chosen || candidate.penalty < chosen.penalty ? candidate : chosen),
    undefined,
  );
  if (!best) return undefined;
  const sameReading = candidates
    .filter((candidate) => candidate.penalty === best.penalty && candidate.fingerprint === best.fingerprint)
    .map((candidate) => candidate.column);
  return {
    kind: 'blockCollection',
    lines,
    collection: best.collection,
    baseColumns: laterLines.length === 0 ? null : { lo: Math.min(...sameReading), hi: Math.max(...sameReading) },
    fromSource: true,
  };
}

function readAtColumn(lines: string[], column: number): BaseCandidate | undefined {
  const text = spaces(column) + lines.join('\n');
  const document = parseStandalone(text);
  const root = document?.contents;
  if (!document || !isBlockCollection(root) || root.range?.[0] !== column) return undefined;
  return {
    column,
    penalty: implausibility(document, text),
    fingerprint: fingerprint(root),
    collection: isMap(root) ? 'map' : 'seq',
  };
}

/** Multi-line plain scalars and empty values are legal but rare; readings needing them are suspect. */
function implausibility(document: Document.Parsed, text: string): number {
  let penalty = 0;
  visit(document, {
    Scalar(_key, scalar) {
      const [start, end] = scalar.range ?? [0, 0];
      if (scalar.type === 'PLAIN' && text.slice(start, end).includes('\n')) penalty += 1;
      if (scalar.value === null && start === end) penalty += 1;
    },
  });
  return penalty;
}

function fingerprint(node: unknown): string {
  if (isMap(node)) return `{${node.items.map((pair) => `${fingerprint(pair.key)}:${fingerprint(pair.value)}`).join(',')}}`;
  if (isSeq(node)) return `[${node.items.map(fingerprint).join(',')}]`;
  if (isAlias(node)) return `*${node.source}`;
  if (isScalar(node)) return JSON.stringify(node.value) ?? String(node.value);
  return '~';
}

/** Which column the first line had in its source, given where it is going to be placed. */
export function sourceColumnFor(shape: BlockCollectionShape, targetColumn: number, step: number): number {
  const range = shape.baseColumns;
  if (!range || (range.lo <= targetColumn && targetColumn <= range.hi)) return targetColumn;
  if (range.lo === range.hi) return range.lo;
  // Ambiguous (`limits:\n    cpu: 1`): assume the children were one indentation step deeper.
  return Math.min(range.hi, Math.max(range.lo, range.hi - step + 1));
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

/** Continuation lines of multi-line flow collections and scalars must be deeper than the parent. */
export function layoutInline(lines: readonly string[], parentColumn: number, step: number): string[] {
  const later = lines.slice(1).filter((line) => !isBlank(line));
  if (later.length === 0) return [...lines];
  const column = Math.min(...later.map(indentOf));
  return column > parentColumn ? [...lines] : shiftLaterLines(lines, parentColumn + step - column);
}

function indentationIndicator(header: string): number | undefined {
  const match = /(?:^|\s)[|>](?:([1-9])[+-]?|[+-]([1-9]))/.exec(header);
  const digit = match?.[1] ?? match?.[2];
  return digit === undefined ? undefined : Number(digit);
}
