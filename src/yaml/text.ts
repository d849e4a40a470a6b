/** Small helpers over source offsets; every function treats `\r\n` and `\n` alike. */

export function detectLineEnding(source: string): '\n' | '\r\n' {
  const newline = source.indexOf('\n');
  return newline > 0 && source[newline - 1] === '\r' ? '\r\n' : '\n';
}

export function lineStartAt(source: string, offset: number): number {
  return source.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset of the line break ending the line that holds `offset` (or the source length). */
export function lineEndAt(source: string, offset: number): number {
  const newline = source.indexOf('\n', offset);
  if (newline < 0) return source.length;
  return newline > 0 && source[newline - 1] === '\r' ? newline - 1 : newline;
}

/** Offset just after the line break ending the line that holds `offset` (or the source length). */
export function nextLineStartAt(source: string, offset: number): number {
  const newline = source.indexOf('\n', offset);
  return newline < 0 ? source.length : newline + 1;
}

export function columnAt(source: string, offset: number): number {
  return offset - lineStartAt(source, offset);
}

export function containsLineBreak(source: string, start: number, end: number): boolean {
  const newline = source.indexOf('\n', start);
  return newline >= 0 && newline < end;
}

/** Leading spaces of a line (tabs are not YAML indentation). */
export function indentOf(line: string): number {
  let count = 0;
  while (line.charCodeAt(count) === 32) count += 1;
  return count;
}

export function isBlank(line: string): boolean {
  return line.trim() === '';
}

export function isCommentLine(line: string): boolean {
  return line.trimStart().startsWith('#');
}

export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** End offset after dropping trailing line breaks (not spaces: they may be block scalar content). */
export function trimTrailingLineBreaks(source: string, start: number, end: number): number {
  let trimmed = end;
  while (trimmed > start && (source[trimmed - 1] === '\n' || source[trimmed - 1] === '\r')) trimmed -= 1;
  return trimmed;
}

export function spaces(count: number): string {
  return ' '.repeat(Math.max(0, count));
}

export interface Splice {
  start: number;
  end: number;
  text: string;
}

export function applySplice(source: string, splice: Splice): string {
  return source.slice(0, splice.start) + splice.text + source.slice(splice.end);
}
