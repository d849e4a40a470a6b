import { isAlias, isMap, isSeq } from 'yaml';
import { readEditedField, valueAt } from './edited';
import { nodeSpan } from './geometry';
import { isEmptyValue, resolveField } from './locate';
import { parseFieldPath } from './path';
import type { FieldKind, FieldReadResult } from './read-result';
import { textOf, valueOf } from './texts';

export type { FieldKind, FieldReadResult } from './read-result';

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
