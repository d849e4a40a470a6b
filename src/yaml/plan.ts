/** Plans the single splice that performs an edit; nothing outside the splice changes. */
import { type ParsedNode, isMap, isSeq } from 'yaml';
import type { IndentStyle, ParsedDocument } from './document';
import { type SlotGeometry, lastLineEnd, nodeSpan, slotEnd, slotGeometry } from './geometry';
import { type ParsedCollection, type ParsedMap, type ValueSlot, isEmptyValue, slotsOf } from './locate';
import { renderKey } from './render';
import {
  type BlockCollectionShape,
  type ValueShape,
  chooseReading,
  generatedReadings,
  layoutBlockScalar,
  layoutInline,
  shiftLaterLines,
  sourceColumnFor,
} from './shape';
import { type Splice, columnAt, lineEndAt, lineStartAt, spaces } from './text';

export interface EditSession {
  source: string;
  document: ParsedDocument | null;
  eol: string;
  style: IndentStyle;
}

/** Where a new value goes; lets setFieldValue render in the right style. */
export interface ShapeTarget {
  inFlow: boolean;
  /** The node being replaced, if any. */
  existing: ParsedNode | null;
  /** Column of the enclosing block collection. */
  parentColumn: number;
  sequenceOffset: number;
}

export type ShapeFactory = (target: ShapeTarget) => ValueShape;

/** Thrown by planners for edits that YAML's syntax cannot express here; callers add path context. */
export class UnplannableEditError extends Error {}

export function planReplacement(session: EditSession, slot: ValueSlot, makeShape: ShapeFactory): Splice {
  const geometry = slotGeometry(session.source, slot);
  const shape = makeShape({
    inFlow: geometry.inFlow,
    existing: slot.node,
    parentColumn: geometry.containerColumn,
    sequenceOffset: sequenceOffsetOf(session, slot.container),
  });
  const { step } = session.style;
  switch (shape.kind) {
    case 'empty':
      return removalSplice(session.source, geometry);
    case 'inline':
      return inlineSplice(session, slot, geometry, layoutInline(shape.lines, geometry.containerColumn, step));
    case 'blockScalar':
      refuseBlockInFlow(geometry.inFlow);
      return inlineSplice(session, slot, geometry, layoutBlockScalar(shape, geometry.containerColumn, step));
    case 'blockCollection':
      refuseBlockInFlow(geometry.inFlow);
      return 'pair' in slot
        ? blockValueSplice(session, slot, geometry, shape)
        : blockItemSplice(session, slot, geometry, shape);
  }
}

function refuseBlockInFlow(inFlow: boolean): void {
  if (inFlow) throw new UnplannableEditError('a block value cannot be written inside a flow collection');
}

function sequenceOffsetOf(session: EditSession, container: ParsedCollection): number {
  return session.style.sequenceOffsetsByMap.get(container) ?? session.style.sequenceOffset;
}

function removalSplice(source: string, geometry: SlotGeometry): Splice {
  if (!geometry.valueSpan) return { start: geometry.leadEnd, end: geometry.leadEnd, text: '' };
  // A value on its own line goes with its line break; comments on the key line stay.
  const start = geometry.valueOnLaterLine ? lineEndAt(source, geometry.leadEnd) : geometry.leadEnd;
  return { start, end: geometry.valueSpan[1], text: '' };
}

function inlineSplice(session: EditSession, slot: ValueSlot, geometry: SlotGeometry, lines: string[]): Splice {
  const text = lines.join(session.eol);
  if (!geometry.valueSpan) {
    return { start: geometry.leadEnd, end: geometry.leadEnd, text: (geometry.hasIndicator ? ' ' : ': ') + text };
  }
  const [start, end] = geometry.valueSpan;
  // A block collection under its key becomes `key: value` again.
  if (geometry.valueOnLaterLine && !geometry.valueDetached && isBlockCollectionNode(slot.node)) {
    return { start: geometry.leadEnd, end, text: ` ${text}` };
  }
  return { start, end, text };
}

function isBlockCollectionNode(node: ParsedNode | null): boolean {
  return (isMap(node) || isSeq(node)) && !node.flow;
}

function blockValueSplice(session: EditSession, slot: ValueSlot, geometry: SlotGeometry, shape: BlockCollectionShape): Splice {
  const { source, eol } = session;
  const keyColumn = geometry.containerColumn;
  const current = slot.node;
  if (geometry.valueSpan && geometry.valueOnLaterLine) {
    const [start, end] = geometry.valueSpan;
    const existingColumn = columnAt(source, start);
    // Re-indent to the current value's column, unless it is the other kind of collection
    // (sequences often sit at their key's column, mappings never do).
    const keepsColumn = !isOtherCollectionKind(current, shape) && existingColumn >= minimumBlockColumn(shape, keyColumn);
    const column = keepsColumn ? existingColumn : newBlockColumn(session, shape, keyColumn, slot.container, current);
    const lines = placeBlock(session, shape, column, current);
    return { start: lineStartAt(source, start), end, text: spaces(column) + lines.join(eol) };
  }
  const column = newBlockColumn(session, shape, keyColumn, slot.container, current);
  const text = eol + spaces(column) + placeBlock(session, shape, column, current).join(eol);
  if (!geometry.valueSpan) {
    // After any comment on the key line, so that comment stays where it was.
    const at = lineEndAt(source, geometry.leadEnd);
    return { start: at, end: at, text };
  }
  return { start: geometry.leadEnd, end: geometry.valueSpan[1], text };
}

function blockItemSplice(session: EditSession, slot: ValueSlot, geometry: SlotGeometry, shape: BlockCollectionShape): Splice {
  const { source, eol } = session;
  if (!geometry.valueSpan) {
    const column = columnAt(source, geometry.leadEnd) + 1;
    const lines = placeBlock(session, shape, column, slot.node);
    return { start: geometry.leadEnd, end: geometry.leadEnd, text: ` ${lines.join(eol)}` };
  }
  const [start, end] = geometry.valueSpan;
  return { start, end, text: placeBlock(session, shape, columnAt(source, start), slot.node).join(eol) };
}

function isOtherCollectionKind(node: ParsedNode | null, shape: BlockCollectionShape): boolean {
  return shape.collection === 'map' ? isSeq(node) : isMap(node);
}

/** A mapping must be deeper than its key; a sequence may sit at the key's column. */
function minimumBlockColumn(shape: BlockCollectionShape, keyColumn: number): number {
  return shape.collection === 'seq' ? keyColumn : keyColumn + 1;
}

/** Column for a block collection that starts on the line after its key. */
function newBlockColumn(
  session: EditSession,
  shape: BlockCollectionShape,
  keyColumn: number,
  container: ParsedCollection | undefined,
  current: ParsedNode | null,
): number {
  const { step } = session.style;
  const offset = shape.collection === 'seq' && container ? sequenceOffsetOf(session, container) : step;
  const preferred = keyColumn + (shape.collection === 'seq' ? offset : step);
  const reading = chooseReading(shape, current, preferred);
  // Text copied from a file keeps its own column when that column is certain and fits.
  if (shape.fromSource && reading && reading.lo === reading.hi) {
    const own = reading.lo;
    if (own >= minimumBlockColumn(shape, keyColumn) && own - keyColumn <= 2 * step) return own;
  }
  return preferred;
}

/** The shape's lines for a first line placed at `column`, replacing `current`. */
function placeBlock(session: EditSession, shape: BlockCollectionShape, column: number, current: ParsedNode | null): string[] {
  const reading = chooseReading(shape, current, column);
  return shiftLaterLines(shape.lines, column - sourceColumnFor(reading, column, session.style.step));
}

/**
 * `key: value` lines for a key that does not exist yet, creating intermediate mappings for
 * every key but the last. The first line has no indentation; later lines are absolute.
 */
function entryLines(
  session: EditSession,
  keys: readonly string[],
  shape: ValueShape,
  column: number,
  container?: ParsedCollection,
): string[] {
  const head = `${renderKey(keys[0]!, false)}:`;
  if (keys.length > 1) {
    const nestedColumn = column + session.style.step;
    const [first, ...rest] = entryLines(session, keys.slice(1), shape, nestedColumn);
    return [head, spaces(nestedColumn) + first, ...rest];
  }
  const { step } = session.style;
  switch (shape.kind) {
    case 'empty':
      return [head];
    case 'inline':
    case 'blockScalar': {
      const [first, ...rest] =
        shape.kind === 'inline' ? layoutInline(shape.lines, column, step) : layoutBlockScalar(shape, column, step);
      return [`${head} ${first}`, ...rest];
    }
    case 'blockCollection': {
      const valueColumn = newBlockColumn(session, shape, column, container, null);
      const [first, ...rest] = placeBlock(session, shape, valueColumn, null);
      return [head, spaces(valueColumn) + first, ...rest];
    }
  }
}

function flowEntryText(keys: readonly string[], shape: ValueShape, eol: string): string {
  const head = renderKey(keys[0]!, true);
  if (keys.length > 1) return `${head}: {${flowEntryText(keys.slice(1), shape, eol)}}`;
  if (shape.kind === 'empty') return `${head}:`;
  if (shape.kind !== 'inline') throw new UnplannableEditError('a block value cannot be written inside a flow collection');
  return `${head}: ${shape.lines.join(eol)}`;
}

/** Adds `keys` (the first missing key and any intermediate ones) as the last entry of `map`. */
export function planMapInsertion(
  session: EditSession,
  map: ParsedMap,
  keys: readonly string[],
  makeShape: ShapeFactory,
): Splice {
  const { source, eol } = session;
  const column = columnAt(source, map.range[0]);
  const shape = makeShape({
    inFlow: map.flow === true,
    existing: null,
    parentColumn: column,
    sequenceOffset: sequenceOffsetOf(session, map),
  });
  if (map.flow) return flowInsertion(session, map, flowEntryText(keys, shape, eol));
  const at = lastLineEnd(source, map);
  return { start: at, end: at, text: eol + spaces(column) + entryLines(session, keys, shape, column, map).join(eol) };
}

function flowInsertion(session: EditSession, map: ParsedMap, text: string): Splice {
  const last = slotsOf(map).at(-1);
  if (!last) {
    const afterBrace = map.range[0] + 1;
    return { start: afterBrace, end: afterBrace, text };
  }
  const end = slotEnd(session.source, last);
  return { start: end, end, text: `, ${text}` };
}

/** Replaces a null value (`key:`/`~`) with the mappings that lead to the new field. */
export function planNullExpansion(
  session: EditSession,
  slot: ValueSlot,
  keys: readonly string[],
  makeShape: ShapeFactory,
): Splice {
  return planReplacement(session, slot, (target) => {
    const leaf = makeShape({ ...target, existing: null });
    if (target.inFlow) return { kind: 'inline', lines: [`{${flowEntryText(keys, leaf, session.eol)}}`] };
    return {
      kind: 'blockCollection',
      lines: entryLines(session, keys, leaf, 0),
      collection: 'map',
      readings: generatedReadings(),
      fromSource: false,
    };
  });
}

/** A document with no content (or only `~`) gets its first top-level key. */
export function planRootInsertion(
  session: EditSession,
  root: ParsedNode | null,
  keys: readonly string[],
  makeShape: ShapeFactory,
): Splice {
  const { source, eol } = session;
  const shape = makeShape({ inFlow: false, existing: null, parentColumn: -1, sequenceOffset: session.style.sequenceOffset });
  const text = entryLines(session, keys, shape, 0).join(eol);
  if (root && !isEmptyValue(root)) {
    const [start, end] = nodeSpan(source, root);
    return { start, end, text };
  }
  const endsWithBreak = source === '' || source.endsWith('\n');
  return { start: source.length, end: source.length, text: endsWithBreak ? text + eol : eol + text };
}
