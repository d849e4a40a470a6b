import { isAlias, isMap, isSeq } from 'yaml';
import { type ParsedDocument, parseFirstDocument } from './document';
import { YamlFieldError, inFile } from './errors';
import { nodeSpan } from './geometry';
import { isEmptyValue, resolveField } from './locate';
import { type PathSegment, parseFieldPath } from './path';

export type FieldKind = 'scalar' | 'map' | 'seq';

export type FieldReadResult =
  | { found: false }
  | {
      found: true;
      /** The resolved JS value (aliases and merge keys applied). */
      value: unknown;
      /** The exact source text of the value node; `''` for a value written as nothing (`key:`). */
      raw: string;
      kind: FieldKind;
    };

/** The JS value of the first document (null for an empty file). */
export function parseYaml(source: string, fileName?: string): unknown {
  const document = parseFirstDocument(source, fileName);
  return document ? documentValue(document, fileName) : null;
}

export function readField(source: string, path: string, fileName?: string): FieldReadResult {
  const segments = parseFieldPath(path);
  const document = parseFirstDocument(source, fileName);
  const resolution = resolveField(document, segments);
  if (resolution.kind !== 'found' || !document) return { found: false };
  const node = resolution.slot.node;
  const raw = isEmptyValue(node) ? '' : source.slice(...nodeSpan(source, node!));
  const resolved = isAlias(node) ? node.resolve(document) : node;
  const kind: FieldKind = isMap(resolved) ? 'map' : isSeq(resolved) ? 'seq' : 'scalar';
  return { found: true, value: valueAt(documentValue(document, fileName), segments), raw, kind };
}

export function documentValue(document: ParsedDocument, fileName?: string): unknown {
  try {
    return document.toJS();
  } catch (error) {
    // Unresolvable aliases and alias bombs only show up when building the JS value.
    const reason = error instanceof Error ? error.message : String(error);
    throw new YamlFieldError('YAML_PARSE_ERROR', `invalid YAML${inFile(fileName)}: ${reason}`, { fileName, cause: error });
  }
}

function valueAt(root: unknown, segments: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
