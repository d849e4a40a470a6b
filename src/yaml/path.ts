import { YamlFieldError } from './errors';

/** A map key (string) or a sequence index (number). */
export type PathSegment = string | number;

const CANONICAL_INDEX = /^(?:0|[1-9][0-9]*)$/;
const QUOTE_ESCAPABLE = new Set(['\\', '"', "'"]);

/**
 * Parses `image.tag`, `containers[0].image`, `env["LOG.LEVEL"]` or `annotations['a.b/c']`.
 * Bare keys run up to the next `.` or `[`; bracket-quoted keys may contain anything
 * (with `\\`, `\"` and `\'` escapes).
 */
export function parseFieldPath(path: string): PathSegment[] {
  if (path === '') throw invalidPath(path, 'the path is empty');
  const reader = new PathReader(path);
  const segments: PathSegment[] = [];
  while (!reader.atEnd()) {
    if (segments.length > 0) reader.readSeparator();
    segments.push(reader.peek() === '[' ? reader.readBracket() : reader.readBareKey());
  }
  return segments;
}

/** The inverse of parseFieldPath: bare keys where possible, `["…"]` where a key needs it. */
export function formatFieldPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${formatIndex(segment)}]`;
    else if (needsBrackets(segment)) out += `["${segment.replace(/["\\]/g, (c) => `\\${c}`)}"]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

function formatIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new YamlFieldError('INVALID_FIELD_PATH', `invalid sequence index ${index} in field path`);
  }
  return String(index);
}

function needsBrackets(key: string): boolean {
  return key === '' || /[.[\]]/.test(key) || key.trim() !== key;
}

function invalidPath(path: string, reason: string): YamlFieldError {
  return new YamlFieldError('INVALID_FIELD_PATH', `invalid field path "${path}": ${reason}`, { path });
}

class PathReader {
  private position = 0;

  constructor(private readonly path: string) {}

  atEnd(): boolean {
    return this.position >= this.path.length;
  }

  peek(): string | undefined {
    return this.path[this.position];
  }

  /** Between segments: `.` before a bare key, nothing before a bracket. */
  readSeparator(): void {
    if (this.peek() === '[') return;
    if (this.peek() !== '.') this.fail(`expected "." or "[" at position ${this.position}`);
    this.position += 1;
    if (this.atEnd() || this.peek() === '.') this.fail('empty segment');
    if (this.peek() === '[') this.fail(`unexpected "[" after "." at position ${this.position}`);
  }

  readBareKey(): string {
    const start = this.position;
    while (!this.atEnd() && this.peek() !== '.' && this.peek() !== '[') {
      if (this.peek() === ']') this.fail(`unbalanced "]" at position ${this.position}`);
      this.position += 1;
    }
    if (this.position === start) this.fail('empty segment');
    return this.path.slice(start, this.position);
  }

  readBracket(): PathSegment {
    this.position += 1;
    const quote = this.peek();
    const segment = quote === '"' || quote === "'" ? this.readQuotedKey(quote) : this.readIndex();
    if (this.peek() !== ']') this.fail('unbalanced "["');
    this.position += 1;
    return segment;
  }

  private readIndex(): number {
    const close = this.path.indexOf(']', this.position);
    if (close < 0) this.fail('unbalanced "["');
    const digits = this.path.slice(this.position, close);
    if (!CANONICAL_INDEX.test(digits) || !Number.isSafeInteger(Number(digits))) {
      this.fail(`"[${digits}]" is neither a sequence index nor a quoted key`);
    }
    this.position = close;
    return Number(digits);
  }

  private readQuotedKey(quote: string): string {
    this.position += 1;
    let key = '';
    for (;;) {
      const char = this.peek();
      if (char === undefined) this.fail(`unterminated quoted key`);
      this.position += 1;
      if (char === quote) return key;
      if (char === '\\') {
        const escaped = this.peek();
        if (escaped === undefined || !QUOTE_ESCAPABLE.has(escaped)) this.fail('invalid escape in quoted key');
        key += escaped;
        this.position += 1;
      } else {
        key += char;
      }
    }
  }

  private fail(reason: string): never {
    throw invalidPath(this.path, reason);
  }
}
