import { type PathSegment, formatFieldPath } from './path';

/**
 * Leaf values of a parsed YAML value by field path, for field-by-field diffs. Mappings are walked;
 * scalars, whole sequences and empty mappings are leaves. A non-mapping root is one leaf at `''`.
 *
 * With `other` (the value this one is compared with), subtrees that are the very same object in both
 * at the same path are left out: they hold the same leaves on both sides, so no diff lists them, and
 * values derived from one another by an edit (see document.ts) share everything the edit did not touch.
 */
export function flattenLeaves(value: unknown, other: unknown = NO_OTHER): Map<string, unknown> {
  const leaves = new Map<string, unknown>();
  if (isMapping(value)) {
    if (value !== other) collect(value, isMapping(other) ? other : undefined, [], leaves);
  } else {
    leaves.set('', value);
  }
  return leaves;
}

const NO_OTHER = Symbol('no other value');

function collect(mapping: Record<string, unknown>, other: Record<string, unknown> | undefined, prefix: PathSegment[], leaves: Map<string, unknown>): void {
  for (const [key, child] of Object.entries(mapping)) {
    const path = [...prefix, key];
    if (isMapping(child) && Object.keys(child).length > 0) {
      const counterpart = other !== undefined && Object.hasOwn(other, key) ? other[key] : undefined;
      if (counterpart === child) continue;
      collect(child, isMapping(counterpart) ? counterpart : undefined, path, leaves);
    } else {
      leaves.set(formatFieldPath(path), child);
    }
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
