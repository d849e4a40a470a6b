import { type PathSegment, formatFieldPath } from './path';

/**
 * Leaf values of a parsed YAML value by field path, for field-by-field diffs. Mappings are walked;
 * scalars, whole sequences and empty mappings are leaves. A non-mapping root is one leaf at `''`.
 */
export function flattenLeaves(value: unknown): Map<string, unknown> {
  const leaves = new Map<string, unknown>();
  if (isMapping(value)) collect(value, [], leaves);
  else leaves.set('', value);
  return leaves;
}

function collect(mapping: Record<string, unknown>, prefix: PathSegment[], leaves: Map<string, unknown>): void {
  for (const [key, child] of Object.entries(mapping)) {
    const path = [...prefix, key];
    if (isMapping(child) && Object.keys(child).length > 0) collect(child, path, leaves);
    else leaves.set(formatFieldPath(path), child);
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
