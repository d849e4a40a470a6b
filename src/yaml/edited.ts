/**
 * Parsing a small edit of a parsed file without parsing the whole file again. An edit that stays
 * inside one entry of a block mapping — a key at the start of its line, its value, and the lines up to
 * the mapping's next key — leaves the rest of the file as it was: only that entry's lines are parsed,
 * on their own, and must read as a mapping with that same single key at that same column. The edited
 * text's value is then the base's with that key's value replaced (everything else shared, so diffs of
 * the two skip it), and its fields are read from the entry or from the base.
 *
 * Files whose values can come from elsewhere in them (aliases, merge keys), directives, and edits that do
 * not fit an entry are parsed in full instead; test/yaml/edited.property.test.ts checks both ways agree.
 */
import { type Document, type Pair, type ParsedNode, type YAMLMap, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import { PARSE_OPTIONS, documentValue, scanDocument, type ParsedDocument, type ParsedText } from './document';
import type { FieldReadResult } from './read-result';
import { isEmptyValue, keyString, resolveField } from './locate';
import { nodeSpan } from './geometry';
import type { PathSegment } from './path';
import { lineStartAt, type Splice } from './text';

export interface EditedText {
  kind: 'edited';
  source: string;
  base: ParsedText;
  /** The keys from the root to the re-parsed entry (its own key last). */
  keys: string[];
  /** Where the entry's lines start (in both texts) and end in the edited text; how far everything after moved. */
  entryStart: number;
  entryEnd: number;
  shift: number;
  /** The entry's lines parsed alone (offsets from entryStart). */
  entry: ParsedDocument;
}

type ParsedMap = YAMLMap<ParsedNode, ParsedNode | null>;
type ParsedPair = Pair<ParsedNode, ParsedNode | null>;

interface Entry {
  /** Pairs from the root to the entry, each with the mapping holding it. */
  path: Array<{ pair: ParsedPair; map: ParsedMap }>;
  start: number;
  end: number;
}

/** `edited` (the base with `splice` applied) parsed through one re-parsed entry, or null when it must be parsed in full. */
export function deriveEditedText(base: ParsedText, splice: Splice, edited: string): EditedText | null {
  const document = base.document;
  const root = document?.contents;
  if (!document || base.usesReferences || hasDirectives(document) || !isBlockMap(root)) return null;
  const entries = entriesAround(base.source, root, splice);
  // The innermost entry is the least text to parse; an outer one may still fit when it does not.
  for (const entry of entries.reverse()) {
    const derived = reparse(base, entry, splice, edited);
    if (derived) return derived;
  }
  return null;
}

/** The entries of nested block mappings whose lines hold the whole splice, outermost first. */
function entriesAround(source: string, root: ParsedMap, splice: Splice): Entry[] {
  const found: Entry[] = [];
  const path: Entry['path'] = [];
  let map = root;
  for (;;) {
    const starts = map.items.map((pair) => keyLineStart(source, pair));
    let index = -1;
    for (let i = 0; i < starts.length; i++) if (starts[i] !== null && starts[i]! <= splice.start) index = i;
    // A next key that does not start its line cannot bound the entry (nor can it be the one that holds the splice).
    const next = index + 1 < starts.length ? starts[index + 1] : undefined;
    if (index < 0 || next === null) break;
    const pair = map.items[index]!;
    path.push({ pair, map });
    if (next !== undefined) {
      if (splice.end >= next) break;
      found.push({ path: [...path], start: starts[index]!, end: next });
    }
    if (!isBlockMap(pair.value)) break;
    map = pair.value;
  }
  return found;
}

/** Where the line of a pair's key starts, when nothing but indentation comes before the key on it. */
function keyLineStart(source: string, pair: ParsedPair): number | null {
  const key = pair.key;
  if (!isScalar(key) || !key.range) return null;
  const start = lineStartAt(source, key.range[0]);
  for (let i = start; i < key.range[0]; i++) if (source.charCodeAt(i) !== SPACE) return null;
  return start;
}

const SPACE = 32;
// A document start or end marker would end the document early; a byte order mark has meaning only first.
const DOCUMENT_BOUNDARY = /(?:^|\n)(?:---|\.\.\.)(?:[ \t\r\n]|$)|\uFEFF/;

function reparse(base: ParsedText, entry: Entry, splice: Splice, edited: string): EditedText | null {
  const shift = splice.text.length - (splice.end - splice.start);
  const entryEnd = entry.end + shift;
  const text = edited.slice(entry.start, entryEnd);
  if (DOCUMENT_BOUNDARY.test(text)) return null;
  const keys = entry.path.map(({ pair, map }) => spineKey(pair, map));
  if (keys.some((key) => key === null)) return null;
  const documents = parseAllDocuments(text, PARSE_OPTIONS);
  if (documents.length !== 1 || documents[0]!.errors.length > 0) return null;
  const parsed = documents[0] as ParsedDocument;
  const map = parsed.contents;
  const own = entry.path.at(-1)!.pair.key as ParsedNode & { value: unknown; range: [number, number, number] };
  if (!isBlockMap(map) || map.items.length !== 1) return null;
  const key = map.items[0]!.key;
  const keyColumn = own.range[0] - entry.start;
  if (!isScalar(key) || key.value !== own.value || key.range?.[0] !== keyColumn) return null;
  // Parsed alone, an anchor or tag before the key still reads as this entry; in the whole file it does not.
  if (!onlySpaces(text, keyColumn) || !staysInside(text, keyColumn)) return null;
  const scan = scanDocument(parsed);
  if (scan.duplicate || scan.usesReferences) return null;
  return { kind: 'edited', source: edited, base, keys: keys as string[], entryStart: entry.start, entryEnd, shift, entry: parsed };
}

function onlySpaces(text: string, end: number): boolean {
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) !== SPACE) return false;
  return true;
}

/**
 * Whether every line after the entry's first is blank, a comment, or indented past its key's column.
 * A line at or left of that column ends the entry in the whole file (or breaks it), but parsed alone
 * it may still read as part of the entry, e.g. as the continuation of a plain scalar.
 */
function staysInside(text: string, keyColumn: number): boolean {
  for (const line of text.split('\n').slice(1)) {
    let indent = 0;
    while (indent < line.length && line.charCodeAt(indent) === SPACE) indent++;
    const rest = line.slice(indent).replace(/\r$/, '');
    if (rest !== '' && !rest.startsWith('#') && indent <= keyColumn) return false;
  }
  return true;
}

/** The key of a pair on the way to the entry: a string no other key of its mapping also reads as. */
function spineKey(pair: ParsedPair, map: ParsedMap): string | null {
  if (!isScalar(pair.key) || typeof pair.key.value !== 'string' || pair.key.value === '__proto__') return null;
  const key = pair.key.value;
  return map.items.filter((other) => keyString(other.key) === key).length === 1 ? key : null;
}

function isBlockMap(node: unknown): node is ParsedMap {
  return isMap(node) && !node.flow;
}

/** `%YAML` or `%TAG` change how the document reads; an entry parsed alone would not know them. */
function hasDirectives(document: Document.Parsed): boolean {
  const directives = document.directives;
  if (!directives) return false;
  return Boolean(directives.yaml.explicit) || Object.keys(directives.tags).some((handle) => handle !== '!!' && handle !== '!');
}

/** The edited text's value: the base's, with the entry's key holding the entry's value (frozen, like the base's). */
export function editedValue(text: EditedText, baseValue: unknown, fileName?: string): unknown {
  const own = text.keys.at(-1)!;
  const entryValue = deepFreeze((documentValue(text.entry, fileName) as Record<string, unknown>)[own]);
  const replaced = (value: unknown, depth: number): unknown => {
    if (depth === text.keys.length) return entryValue;
    const record = value as Record<string, unknown>;
    const key = text.keys[depth]!;
    return Object.freeze({ ...record, [key]: replaced(record[key], depth + 1) });
  };
  return replaced(baseValue, 0);
}

/** readField on the edited text: from the entry below its key, otherwise from the base (offsets after the entry moved). */
export function readEditedField(text: EditedText, segments: readonly PathSegment[], value: () => unknown): FieldReadResult {
  let depth = 0;
  while (depth < text.keys.length && depth < segments.length && segments[depth] === text.keys[depth]) depth++;
  const inEntry = depth === text.keys.length;
  const resolution = inEntry ? resolveField(text.entry, segments.slice(depth - 1)) : resolveField(text.base.document, segments);
  if (resolution.kind !== 'found') return { found: false };
  const node = resolution.slot.node;
  let raw = '';
  if (!isEmptyValue(node)) {
    if (inEntry) {
      const entrySource = text.source.slice(text.entryStart, text.entryEnd);
      raw = entrySource.slice(...nodeSpan(entrySource, node!));
    } else {
      const [start, end] = nodeSpan(text.base.source, node!);
      // An ancestor of the entry ends after it; anything else lies wholly before or after it.
      raw = depth === segments.length ? text.source.slice(start, end + text.shift) : text.base.source.slice(start, end);
    }
  }
  return { found: true, value: valueAt(value(), segments), raw, kind: isMap(node) ? 'map' : isSeq(node) ? 'seq' : 'scalar' };
}

export function valueAt(root: unknown, segments: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
