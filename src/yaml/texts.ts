/**
 * Parsed sources, cached by text: planning, diffing and manifest generation read the same files several
 * times per change, and a file and its edited version mostly share their text (see edited.ts). A source
 * is parsed once, its value built once and frozen, since callers share it. Documents are only ever read
 * (edits splice the source text), so sharing them is safe too.
 */
import { type ParsedDocument, type ParsedText, documentValue, parseText } from './document';
import { type EditedText, deepFreeze, deriveEditedText, editedValue } from './edited';
import type { Splice } from './text';

export type KnownText = (ParsedText | EditedText) & { value?: unknown };

const texts = new Map<string, KnownText>();
let cachedChars = 0;
/** A parsed document takes about 80 bytes per character of source: a few files of 50,000 lines, or thousands of small ones. */
const CACHE_CHARS = 3_000_000;
const CACHE_TEXTS = 4096;

/** Whole sources this thread parsed: how a test tells which thread did the work. */
let fullParses = 0;

export function fullParsesInThisThread(): number {
  return fullParses;
}

function parsed(source: string, fileName?: string): ParsedText {
  fullParses++;
  return parseText(source, fileName);
}

/** The source parsed (or known as an edit of a parsed one). */
export function textOf(source: string, fileName?: string): KnownText {
  return recall(source) ?? remember(parsed(source, fileName));
}

/** The first document of `source`, parsed in full (edits need every node), or null for a stream without documents. */
export function parseFirstDocument(source: string, fileName?: string): ParsedDocument | null {
  const known = recall(source);
  if (known?.kind === 'parsed') return known.document;
  return remember(parsed(source, fileName)).document;
}

/** The text's JS value (null for no document), built once and frozen. */
export function valueOf(text: KnownText, fileName?: string): unknown {
  if (!('value' in text)) {
    const value =
      text.kind === 'parsed'
        ? text.document
          ? deepFreeze(documentValue(text.document, fileName))
          : null
        : editedValue(text, valueOf(text.base, fileName), fileName);
    text.value = value;
  }
  return text.value;
}

/** `edited` is `base` with `splice` applied: known from base's parse when the edit fits one entry. */
export function rememberEdit(base: string, splice: Splice, edited: string): void {
  if (texts.has(edited)) return;
  const known = texts.get(base);
  if (known?.kind !== 'parsed') return;
  const derived = deriveEditedText(known, splice, edited);
  if (derived) remember(derived);
}

/** Declares `edited` to be likely a small edit of `base` (another version of the file): see rememberEdit. */
export function rememberAsEditOf(edited: string, base: string): void {
  if (edited === base || texts.has(edited)) return;
  const known = texts.get(base);
  // An edit of an edit (the next release of a file) is an edit of the parsed text both came from.
  const parsedBase = known?.kind === 'edited' ? known.base : known;
  if (parsedBase?.kind !== 'parsed') return;
  const derived = deriveEditedText(parsedBase, differingSpan(parsedBase.source, edited), edited);
  if (derived) remember(derived);
}

/** The splice that turns `a` into `b`: everything between their common prefix and common suffix. */
export function differingSpan(a: string, b: string): Splice {
  const shorter = Math.min(a.length, b.length);
  let prefix = 0;
  while (prefix < shorter && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && a.charCodeAt(a.length - 1 - suffix) === b.charCodeAt(b.length - 1 - suffix)) suffix++;
  return { start: prefix, end: a.length - suffix, text: b.slice(prefix, b.length - suffix) };
}

export function forgetParsedDocuments(): void {
  texts.clear();
  cachedChars = 0;
}

function recall(source: string): KnownText | undefined {
  const known = texts.get(source);
  if (known) {
    texts.delete(source);
    texts.set(source, known);
  }
  return known;
}

function remember<T extends KnownText>(text: T): T {
  const previous = texts.get(text.source);
  if (previous) cachedChars -= costOf(previous);
  texts.delete(text.source);
  texts.set(text.source, text);
  cachedChars += costOf(text);
  while (texts.size > 1 && (cachedChars > CACHE_CHARS || texts.size > CACHE_TEXTS)) {
    const [oldest, evicted] = texts.entries().next().value!;
    texts.delete(oldest);
    cachedChars -= costOf(evicted);
  }
  return text;
}

function costOf(text: KnownText): number {
  return text.kind === 'parsed' ? text.source.length : text.entryEnd - text.entryStart;
}
