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
 * in assertUniqueKeys instead.
 */
export const PARSE_OPTIONS = { keepSourceTokens: true, merge: true, uniqueKeys: false } as const;

export type ParsedDocument = Document.Parsed<ParsedNode, true>;

/** The first document of `source`, or null for a stream without documents (empty or comments only). */
export function parseFirstDocument(source: string, fileName?: string): ParsedDocument | null {
  const cached = parsedBySource.get(source);
  if (cached !== undefined) return cached;
  const documents = parseAllDocuments(source, PARSE_OPTIONS);
  const error = documents.flatMap((document) => document.errors)[0];
  if (error) throw parseError(error, fileName);
  const document = documents[0] ?? null;
  if (document) assertUniqueKeys(source, document, fileName);
  if (parsedBySource.size >= PARSED_LIMIT) parsedBySource.delete(parsedBySource.keys().next().value!);
  parsedBySource.set(source, document);
  return document;
}

/**
 * Parsed documents by source text, oldest evicted first: planning, diffing and manifest generation
 * read the same files several times per change. Documents are only ever read (edits splice the
 * source text), so sharing one is safe; their JS values are built fresh for every caller.
 */
const parsedBySource = new Map<string, ParsedDocument | null>();
const PARSED_LIMIT = 512;

export function forgetParsedDocuments(): void {
  parsedBySource.clear();
}

/** Duplicate keys in any mapping, found in one pass (the same rule as the library's: scalar keys by value, merge keys exempt). */
export function assertUniqueKeys(source: string, document: Document.Parsed, fileName?: string): void {
  let duplicate: { key: string; offset: number } | null = null;
  visit(document, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key) || (key.value === '<<' && PARSE_OPTIONS.merge)) continue;
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
  if (!duplicate) return;
  const { key, offset } = duplicate as { key: string; offset: number };
  const line = source.slice(0, offset).split('\n').length;
  throw new YamlFieldError('YAML_PARSE_ERROR', `invalid YAML${inFile(fileName)}: Map keys must be unique ("${key}" again at line ${line})`, { fileName });
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

export function detectIndentStyle(source: string, document: ParsedDocument | null): IndentStyle {
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
