/** Plans the splice that removes one entry from its collection. */
import { endsWithKeptBlockScalar, lastLineEnd, slotEnd, slotStart } from './geometry';
import { type ValueSlot, isEmptyValue, slotsOf } from './locate';
import { type Splice, isBlank, lineEndAt, lineStartAt, nextLineStartAt } from './text';

/** Removes one entry: whole lines in block collections, the entry and one comma in flow ones. */
export function planEntryRemoval(source: string, slot: ValueSlot): Splice {
  const entries = slotsOf(slot.container);
  const index = entries.findIndex((entry) => sameSlot(entry, slot));
  if (slot.container.flow) return flowEntryRemoval(source, entries, index);
  return blockEntryRemoval(source, entries, index);
}

function sameSlot(a: ValueSlot, b: ValueSlot): boolean {
  return 'pair' in a && 'pair' in b ? a.pair === b.pair : 'index' in a && 'index' in b && a.index === b.index;
}

function flowEntryRemoval(source: string, entries: ValueSlot[], index: number): Splice {
  const container = entries[index]!.container;
  if (entries.length === 1) return { start: container.range[0] + 1, end: container.range[1] - 1, text: '' };
  const current = entries[index]!;
  if (index > 0) return { start: slotEnd(source, entries[index - 1]!), end: slotEnd(source, current), text: '' };
  return { start: slotStart(current), end: slotStart(entries[index + 1]!), text: '' };
}

function blockEntryRemoval(source: string, entries: ValueSlot[], index: number): Splice {
  const entry = entries[index]!;
  const start = slotStart(entry);
  const lineStart = lineStartAt(source, start);
  // The first entry of `- name: x` shares its line with the dash: cut up to the next entry instead.
  if (!isBlank(source.slice(lineStart, start))) {
    return { start, end: slotStart(entries[index + 1]!), text: '' };
  }
  const lastLine = isEmptyValue(entry.node) ? lineEndAt(source, slotEnd(source, entry)) : lastLineEnd(source, entry.node!);
  let end = nextLineStartAt(source, lastLine);
  // Blank lines after the entry would otherwise become content of a `|+` scalar just before it.
  if (index > 0 && endsWithKeptBlockScalar(source, entries[index - 1]!.node)) end = skipBlankLines(source, end);
  if (end === lastLine && lineStart > 0) {
    // Last line of a file without a final line break: take the preceding break instead.
    const previousBreak = source[lineStart - 2] === '\r' ? lineStart - 2 : lineStart - 1;
    return { start: previousBreak, end, text: '' };
  }
  return { start: lineStart, end, text: '' };
}

function skipBlankLines(source: string, offset: number): number {
  let position = offset;
  while (position < source.length && isBlank(source.slice(position, lineEndAt(source, position)))) {
    const next = nextLineStartAt(source, position);
    if (next === position) break;
    position = next;
  }
  return position;
}
