/**
 * What one request may hand the domain: texts of bounded length that are valid Unicode, and edits of
 * bounded size. Each refusal has its own code, and nothing is written.
 */
import { BadRequestError } from './errors';

export const TEXT_LIMITS = {
  justification: 2_000,
  description: 2_000,
  comment: 2_000,
  note: 10_000,
} as const;

export const EDIT_LIMITS = {
  /** A value set on one field (as JSON). */
  valueBytes: 64 * 1024,
  valueNodes: 5_000,
  valueDepth: 32,
  /** A whole file a release replaces. */
  fileBytes: 512 * 1024,
} as const;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A lone surrogate cannot be written as UTF-8: it would silently become U+FFFD in Git. */
export function assertWellFormed(text: string, what: string): void {
  if (LONE_SURROGATE.test(text)) {
    throw new BadRequestError('INVALID_TEXT', `${what} is not valid Unicode text (it holds an unpaired surrogate); nothing was written`, { what });
  }
}

/** The text trimmed, checked for length and well-formedness; null when empty. */
export function boundedText(value: string | null | undefined, what: keyof typeof TEXT_LIMITS): string | null {
  const text = value?.trim() ?? '';
  if (!text) return null;
  assertWellFormed(text, what);
  if (text.length > TEXT_LIMITS[what]) {
    throw new BadRequestError('TEXT_TOO_LONG', `the ${what} may be at most ${TEXT_LIMITS[what]} characters (got ${text.length})`, { what, limit: TEXT_LIMITS[what] });
  }
  return text;
}

/** A value to set on a field: bounded in size, keys and depth, its strings valid Unicode. Checked without recursion. */
export function assertEditValue(value: unknown, what: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(value ?? null) ?? '');
  if (bytes > EDIT_LIMITS.valueBytes) throw editTooLarge(what, `${bytes} bytes; at most ${EDIT_LIMITS.valueBytes}`);
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (++nodes > EDIT_LIMITS.valueNodes) throw editTooLarge(what, `more than ${EDIT_LIMITS.valueNodes} keys and items`);
    if (typeof current === 'string') assertWellFormed(current, what);
    if (current === null || typeof current !== 'object') continue;
    if (depth >= EDIT_LIMITS.valueDepth) throw editTooLarge(what, `nested more than ${EDIT_LIMITS.valueDepth} levels`);
    for (const [key, child] of Object.entries(current as Record<string, unknown>)) {
      assertWellFormed(key, what);
      stack.push({ value: child, depth: depth + 1 });
    }
  }
}

/** A file a release writes whole. */
export function assertFileContent(content: string, what: string): void {
  assertWellFormed(content, what);
  const bytes = Buffer.byteLength(content);
  if (bytes > EDIT_LIMITS.fileBytes) throw editTooLarge(what, `${bytes} bytes; at most ${EDIT_LIMITS.fileBytes}`);
}

function editTooLarge(what: string, detail: string): BadRequestError {
  return new BadRequestError('EDIT_TOO_LARGE', `${what} is too large for one edit (${detail}); nothing was written`, { what });
}
