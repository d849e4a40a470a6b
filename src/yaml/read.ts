import { isAlias, isMap, isSeq } from 'yaml';
import { readEditedField, valueAt } from './edited';
import { nodeSpan } from './geometry';
import { isEmptyValue, resolveField } from './locate';
import { parseFieldPath } from './path';
import { textOf, valueOf } from './texts';

export type FieldKind = 'scalar' | 'map' | 'seq';

export type FieldReadResult =
  | { found: false }
  | {
      found: true;
      /** The resolved JS value (aliases and merge keys applied); shared and frozen. */
      value: unknown;
      /** The exact source text of the value node; `''` for a value written as nothing (`key:`). */
      raw: string;
      kind: FieldKind;
    };

/** The JS value of the first document (null for an empty file); shared and frozen. */
export function parseYaml(source: string, fileName?: string): unknown {
  return valueOf(textOf(source, fileName), fileName);
}

export function readField(source: string, path: string, fileName?: string): FieldReadResult {
  const segments = parseFieldPath(path);
  const text = textOf(source, fileName);
  if (text.kind === 'edited') return readEditedField(text, segments, () => valueOf(text, fileName));
  const document = text.document;
  const resolution = resolveField(document, segments);
  if (resolution.kind !== 'found' || !document) return { found: false };
  const node = resolution.slot.node;
  const raw = isEmptyValue(node) ? '' : source.slice(...nodeSpan(source, node!));
  const resolved = isAlias(node) ? node.resolve(document) : node;
  const kind: FieldKind = isMap(resolved) ? 'map' : isSeq(resolved) ? 'seq' : 'scalar';
  return { found: true, value: valueAt(valueOf(text, fileName), segments), raw, kind };
}
