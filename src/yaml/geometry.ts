/** Where a slot's pieces sit in the source: indicator, value span, last line, entry bounds. */
import { type CST, type ParsedNode, isMap, isScalar, isSeq } from 'yaml';
import { type ParsedPair, type ParsedSeq, type ValueSlot, isBlockScalar, isEmptyValue, slotsOf } from './locate';
import { columnAt, containsLineBreak, indentOf, isBlank, lineEndAt, splitLines, trimTrailingLineBreaks } from './text';

/** Offsets of a slot's text. */
export interface SlotGeometry {
  /** End of the `:`/`-` indicator and of any anchor or tag: where an inline value starts (after a space). */
  leadEnd: number;
  /** False for flow sequence items and flow keys written without `:`. */
  hasIndicator: boolean;
  /** The value's own text, from its first to its last significant character; absent for an empty value. */
  valueSpan: [number, number] | undefined;
  valueOnLaterLine: boolean;
  /** A comment or blank line sits between the indicator and the value; it must not be lost. */
  valueDetached: boolean;
  /** Column of the containing block mapping or sequence: values must be indented deeper. */
  containerColumn: number;
  inFlow: boolean;
}

export function slotGeometry(source: string, slot: ValueSlot): SlotGeometry {
  const lead = slotLead(slot);
  const valueSpan = isEmptyValue(slot.node) ? undefined : nodeSpan(source, slot.node!);
  const gap = source.slice(lead.end, valueSpan ? valueSpan[0] : lead.end);
  return {
    leadEnd: lead.end,
    hasIndicator: lead.hasIndicator,
    valueSpan,
    valueOnLaterLine: valueSpan !== undefined && containsLineBreak(source, lead.end, valueSpan[0]),
    valueDetached: gap.includes('#') || /\n[ \t]*\r?\n/.test(gap),
    containerColumn: columnAt(source, slot.container.range[0]),
    inFlow: slot.container.flow === true,
  };
}

const LEAD_TOKENS = new Set(['map-value-ind', 'seq-item-ind', 'anchor', 'tag']);

function lastLeadTokenEnd(tokens: readonly CST.SourceToken[]): number | undefined {
  const last = tokens.filter((token) => LEAD_TOKENS.has(token.type)).at(-1);
  return last ? last.offset + last.source.length : undefined;
}

function pairLead(pair: ParsedPair): { end: number; hasIndicator: boolean } {
  const item = pair.srcToken;
  const sepEnd = item?.sep ? lastLeadTokenEnd(item.sep) : undefined;
  if (sepEnd !== undefined) return { end: sepEnd, hasIndicator: item!.sep!.some((token) => token.type === 'map-value-ind') };
  return { end: pair.key.range[1], hasIndicator: false };
}

function seqItemLead(seq: ParsedSeq, index: number): { end: number; hasIndicator: boolean } {
  const end = lastLeadTokenEnd(blockSequenceEntryStart(seq, index));
  return end === undefined ? { end: seq.items[index]!.range[0], hasIndicator: false } : { end, hasIndicator: true };
}

/** Tokens before the value of a block sequence item: comments, the `-`, anchor and tag. */
function blockSequenceEntryStart(seq: ParsedSeq, index: number): readonly CST.SourceToken[] {
  const token = seq.srcToken;
  if (token?.type !== 'block-seq') return [];
  const entries = token.items.filter((entry) => entry.start.some((t) => t.type === 'seq-item-ind'));
  return entries[index]?.start ?? [];
}

/** `[start, end]` of a node's text without trailing comments or line breaks. */
export function nodeSpan(source: string, node: ParsedNode): [number, number] {
  return [node.range[0], nodeEnd(source, node, 'content')];
}

/**
 * Offset where the last line of a node ends (before its line break): the place after which a new
 * sibling line can go. Block scalars keep their trailing blank lines here, since those may be content.
 */
export function lastLineEnd(source: string, node: ParsedNode): number {
  return nodeEnd(source, node, 'line');
}

type EndMode = 'content' | 'line';

function nodeEnd(source: string, node: ParsedNode, mode: EndMode): number {
  if (isScalar(node) && isBlockScalar(node)) {
    const [start, end] = node.range;
    if (mode === 'content') return trimTrailingLineBreaks(source, start, end);
    return end > start && source[end - 1] === '\n' ? lineEndAt(source, end - 1) : end;
  }
  if ((isMap(node) || isSeq(node)) && !node.flow) {
    const last = slotsOf(node).at(-1);
    if (!last) return node.range[1];
    if (!isEmptyValue(last.node)) return nodeEnd(source, last.node!, mode);
    const leadEnd = slotLead(last).end;
    return mode === 'content' ? leadEnd : lineEndAt(source, leadEnd);
  }
  return mode === 'content' ? node.range[1] : lineEndAt(source, node.range[1]);
}

function slotLead(slot: ValueSlot): { end: number; hasIndicator: boolean } {
  return 'pair' in slot ? pairLead(slot.pair) : seqItemLead(slot.container, slot.index);
}

/** True when the node's text ends with a `|+`/`>+` scalar, which owns the blank lines after it. */
export function endsWithKeptBlockScalar(source: string, node: ParsedNode | null): boolean {
  if (isScalar(node) && isBlockScalar(node)) return /^[|>][1-9]?\+/.test(source.slice(node.range[0], node.range[0] + 3));
  if ((isMap(node) || isSeq(node)) && !node.flow) {
    const last = slotsOf(node).at(-1);
    return last !== undefined && endsWithKeptBlockScalar(source, last.node);
  }
  return false;
}

/** Offset where an entry begins: its key (or `?`) in a mapping, its `-` in a block sequence. */
export function slotStart(slot: ValueSlot): number {
  if ('pair' in slot) {
    const explicitKey = slot.pair.srcToken?.start.find((token) => token.type === 'explicit-key-ind');
    return explicitKey?.offset ?? slot.pair.key.range[0];
  }
  const dash = blockSequenceEntryStart(slot.container, slot.index).find((t) => t.type === 'seq-item-ind');
  return dash?.offset ?? slot.container.items[slot.index]!.range[0];
}

/** Offset where an entry's text ends (value, or indicator/key when the value is empty). */
export function slotEnd(source: string, slot: ValueSlot): number {
  return isEmptyValue(slot.node) ? slotLead(slot).end : nodeSpan(source, slot.node!)[1];
}

/** The column block scalar bodies use now, relative to their parent, to keep it on replacement. */
export function blockScalarIndent(source: string, node: ParsedNode | null, parentColumn: number): number | undefined {
  if (!isScalar(node) || !isBlockScalar(node)) return undefined;
  const body = splitLines(source.slice(...nodeSpan(source, node))).slice(1).filter((line) => !isBlank(line));
  if (body.length === 0) return undefined;
  const relative = Math.min(...body.map(indentOf)) - parentColumn;
  return relative >= 1 && relative <= 9 ? relative : undefined;
}
