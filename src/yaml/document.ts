import {
  type Document,
  type ParsedNode,
  type YAMLError,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  visit,
} from 'yaml';
import { YamlFieldError, inFile } from './errors';
import { columnAt } from './text';

/**
 * Merge keys (`<<: *base`) are honoured like Helm/Go YAML does. The library's own duplicate-key check
 * compares every key with every other (quadratic: 40,000 keys took 12 s); keys are checked once each
 * in scanDocument instead.
 */
export const PARSE_OPTIONS = { keepSourceTokens: true, merge: true, uniqueKeys: false } as const;

export type ParsedDocument = Document.Parsed<ParsedNode, true>;

/** A source parsed in full: its first document, and whether values in it depend on text elsewhere. */
export interface ParsedText {
  kind: 'parsed';
  source: string;
  /** Null for a stream without documents (empty or comments only). */
  document: ParsedDocument | null;
  /** Aliases or merge keys: a value may come from another place of the file. */
  usesReferences: boolean;
}

/** Parses `source` (every document must be valid; only the first one is read or edited). */
export function parseText(source: string, fileName?: string): ParsedText {
  const documents = parseAllDocuments(source, PARSE_OPTIONS);
  const error = documents.flatMap((document) => document.errors)[0];
  if (error) throw parseError(error, fileName);
  const document = (documents[0] as ParsedDocument | undefined) ?? null;
  const scan = document ? scanDocument(document) : { duplicate: null, usesReferences: false };
  if (scan.duplicate) throw duplicateKeyError(source, scan.duplicate, fileName);
  return { kind: 'parsed', source, document, usesReferences: scan.usesReferences };
}

/** Duplicate keys in any mapping (found in one pass), as the library's own rule: scalar keys by value, merge keys exempt. */
export function assertUniqueKeys(source: string, document: Document.Parsed, fileName?: string): void {
  const { duplicate } = scanDocument(document);
  if (duplicate) throw duplicateKeyError(source, duplicate, fileName);
}

interface DocumentScan {
  duplicate: { key: string; offset: number } | null;
  usesReferences: boolean;
}

/** One walk of the document: the first duplicate key, and whether it has aliases or merge keys. */
export function scanDocument(document: Document.Parsed): DocumentScan {
  let duplicate: DocumentScan['duplicate'] = null;
  let usesReferences = false;
  visit(document, {
    Alias() {
      usesReferences = true;
    },
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key)) continue;
        if (key.value === '<<' || typeof key.value === 'symbol') usesReferences = true;
        if (key.value === '<<' && PARSE_OPTIONS.merge) continue;
        const identity = `${typeof key.value}:${String(key.value)}`;
        if (seen.has(identity)) {
          duplicate = { key: String(key.value), offset: key.range?.[0] ?? 0 };
          return visit.BREAK;
        }
        seen.add(identity);
      }
      return undefined;
    },
  });
  return { duplicate, usesReferences };
}

function duplicateKeyError(source: string, duplicate: { key: string; offset: number }, fileName?: string): YamlFieldError {
  const line = source.slice(0, duplicate.offset).split('\n').length;
  return new YamlFieldError('YAML_PARSE_ERROR', `invalid YAML${inFile(fileName)}: Map keys must be unique ("${duplicate.key}" again at line ${line})`, { fileName });
}

/** The document's JS value; unresolvable aliases and alias bombs only show up here. */
export function documentValue(document: Document.Parsed, fileName?: string): unknown {
  try {
    return document.toJS();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new YamlFieldError('YAML_PARSE_ERROR', `invalid YAML${inFile(fileName)}: ${reason}`, { fileName, cause: error });
  }
}

export function parseError(error: YAMLError, fileName?: string): YamlFieldError {
  return new YamlFieldError('YAML_PARSE_ERROR', `invalid YAML${inFile(fileName)}: ${firstLineOf(error)}`, {
    fileName,
    cause: error,
  });
}

/** The yaml library appends a source excerpt after the first line; messages keep only the summary. */
export function firstLineOf(error: YAMLError): string {
  return (error.message.split('\n')[0] ?? error.message).replace(/:$/, '');
}

/** How a file indents nested blocks, so inserted blocks look like their neighbours. */
export interface IndentStyle {
  /** Columns between a key and its nested mapping. */
  step: number;
  /** Columns between a key and its block sequence (0 for `key:\n- item`), per document. */
  sequenceOffset: number;
  /** The sequence offset each mapping uses for its own sequence values, where it has any. */
  sequenceOffsetsByMap: Map<ParsedNode, number>;
}

const DEFAULT_STEP = 2;

/** Per document: every edit of a file asks again, and the walk costs as much as a tenth of a parse. */
const indentStyles = new WeakMap<ParsedDocument, IndentStyle>();

export function detectIndentStyle(source: string, document: ParsedDocument | null): IndentStyle {
  const known = document && indentStyles.get(document);
  if (known) return known;
  const style = measureIndentStyle(source, document);
  if (document) indentStyles.set(document, style);
  return style;
}

function measureIndentStyle(source: string, document: ParsedDocument | null): IndentStyle {
  const mapSteps: number[] = [];
  const sequenceOffsets: number[] = [];
  const sequenceOffsetsByMap = new Map<ParsedNode, number>();
  if (document) {
    visit(document, {
      Map(_key, map) {
        if (map.flow || !map.range) return;
        const keyColumn = columnAt(source, map.range[0]);
        for (const pair of map.items) {
          const value = isPair(pair) ? pair.value : null;
          if (!(isMap(value) || isSeq(value)) || value.flow || !value.range) continue;
          if (!startsOnLaterLine(source, pair.key, value.range[0])) continue;
          const offset = columnAt(source, value.range[0]) - keyColumn;
          if (isMap(value)) mapSteps.push(offset);
          else {
            sequenceOffsets.push(offset);
            sequenceOffsetsByMap.set(map as ParsedNode, offset);
          }
        }
      },
    });
  }
  const step = mostCommon(mapSteps.filter((offset) => offset > 0)) ?? DEFAULT_STEP;
  return { step, sequenceOffset: mostCommon(sequenceOffsets) ?? step, sequenceOffsetsByMap };
}

function startsOnLaterLine(source: string, key: unknown, valueStart: number): boolean {
  if (!isScalar(key) || !key.range) return true;
  return source.lastIndexOf('\n', valueStart) >= key.range[0];
}

function mostCommon(values: number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: number | undefined;
  for (const [value, count] of counts) if (best === undefined || count > counts.get(best)!) best = value;
  return best;
}
