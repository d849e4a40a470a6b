/** Finds the node a field path points at, and where its text sits in the source. */
import { type Pair, type ParsedNode, Scalar, type YAMLMap, type YAMLSeq, isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { ParsedDocument } from './document';
import type { PathSegment } from './path';

export type ParsedPair = Pair<ParsedNode, ParsedNode | null>;
export type ParsedMap = YAMLMap.Parsed;
export type ParsedSeq = YAMLSeq.Parsed;
export type ParsedCollection = ParsedMap | ParsedSeq;

/** A place that holds a value: a pair of a mapping or an item of a sequence. */
export type ValueSlot =
  | { container: ParsedMap; pair: ParsedPair; node: ParsedNode | null }
  | { container: ParsedSeq; index: number; node: ParsedNode | null };

export type Resolution =
  | {
      kind: 'found';
      slot: ValueSlot;
      /** Why editing in place would also change other fields (reached through an alias or merge key). */
      sharedBecause: string | null;
      /** Set when the last key only exists through a merge key (`<<`) of this mapping. */
      inheritedFrom: ParsedMap | null;
    }
  | {
      kind: 'missing';
      /** Index of the first segment that does not exist. */
      depth: number;
      /** The deepest existing value: a mapping to add keys to, or a null to replace. */
      holder: ParsedNode | null;
      /** The slot holding `holder`; undefined when the holder is the document root. */
      holderSlot: ValueSlot | undefined;
      sharedBecause: string | null;
    }
  | { kind: 'blocked'; depth: number; reason: string };

export function resolveField(document: ParsedDocument | null, segments: readonly PathSegment[]): Resolution {
  let current: ParsedNode | null = document?.contents ?? null;
  let holderSlot: ValueSlot | undefined;
  let sharedBecause: string | null = null;
  let inheritedFrom: ParsedMap | null = null;

  for (const [depth, segment] of segments.entries()) {
    if (isAlias(current) && document) {
      sharedBecause ??= `it is reached through the alias *${current.source}`;
      current = (current.resolve(document) as ParsedNode | undefined) ?? null;
    }
    if (inheritedFrom) sharedBecause ??= 'it is inherited through a merge key (<<)';
    inheritedFrom = null;

    let slot: ValueSlot;
    if (typeof segment === 'string') {
      if (!isMap(current)) {
        if (isNullValue(current)) return { kind: 'missing', depth, holder: current, holderSlot, sharedBecause };
        return { kind: 'blocked', depth, reason: `${describeNode(current)} has no key "${segment}"` };
      }
      const lookup = findPair(document, current, segment);
      if (!lookup) return { kind: 'missing', depth, holder: current, holderSlot, sharedBecause };
      if (lookup.inherited) inheritedFrom = current;
      slot = { container: lookup.map, pair: lookup.pair, node: lookup.pair.value };
    } else {
      if (!isSeq(current)) return { kind: 'blocked', depth, reason: `${describeNode(current)} has no index ${segment}` };
      if (segment >= current.items.length) {
        return { kind: 'blocked', depth, reason: `index ${segment} is out of range (${current.items.length} items)` };
      }
      slot = { container: current, index: segment, node: current.items[segment] ?? null };
    }
    holderSlot = slot;
    current = slot.node;
  }
  if (!holderSlot) return { kind: 'blocked', depth: 0, reason: 'the path is empty' };
  return { kind: 'found', slot: holderSlot, sharedBecause, inheritedFrom };
}

function describeNode(node: ParsedNode | null): string {
  if (isSeq(node)) return 'a sequence';
  if (isMap(node)) return 'a mapping';
  return 'a scalar';
}

export function isNullValue(node: ParsedNode | null): node is Scalar.Parsed | null {
  return node === null || (isScalar(node) && node.value === null);
}

/** Absent or written as nothing at all (`key:`), as opposed to `~` or `null`. */
export function isEmptyValue(node: ParsedNode | null): boolean {
  return node === null || (isScalar(node) && node.value === null && node.source === '');
}

/** String form of a key as `toJS` uses for object keys; undefined for keys a path cannot name. */
export function keyString(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  const value = key.value;
  if (value === null) return '';
  if (typeof value === 'symbol' || typeof value === 'object') return undefined;
  return String(value);
}

function isMergePair(pair: ParsedPair): boolean {
  return isScalar(pair.key) && typeof pair.key.value === 'symbol';
}

interface PairLookup {
  pair: ParsedPair;
  /** The mapping that physically holds the pair. */
  map: ParsedMap;
  inherited: boolean;
}

/** Own keys win over merged ones, and earlier merge sources over later ones, as in `toJS`. */
function findPair(
  document: ParsedDocument | null,
  map: ParsedMap,
  key: string,
  seen = new Set<ParsedMap>(),
): PairLookup | undefined {
  seen.add(map);
  const own = map.items.find((pair) => !isMergePair(pair) && keyString(pair.key) === key);
  if (own) return { pair: own, map, inherited: false };
  for (const source of mergeSources(document, map)) {
    if (seen.has(source)) continue;
    const inherited = findPair(document, source, key, seen);
    if (inherited) return { ...inherited, inherited: true };
  }
  return undefined;
}

function mergeSources(document: ParsedDocument | null, map: ParsedMap): ParsedMap[] {
  const sources: ParsedMap[] = [];
  const add = (node: ParsedNode | null): void => {
    const resolved = isAlias(node) && document ? (node.resolve(document) as ParsedNode | undefined) : node;
    if (isMap(resolved)) sources.push(resolved);
  };
  for (const pair of map.items) {
    if (!isMergePair(pair)) continue;
    if (isSeq(pair.value)) pair.value.items.forEach(add);
    else add(pair.value);
  }
  return sources;
}

export function slotsOf(collection: ParsedCollection): ValueSlot[] {
  if (isMap(collection)) return collection.items.map((pair) => ({ container: collection, pair, node: pair.value }));
  return collection.items.map((node, index) => ({ container: collection, index, node }));
}

export function isBlockScalar(node: Scalar): boolean {
  return node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
}
