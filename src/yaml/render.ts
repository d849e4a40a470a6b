/** Turns JS values into YAML text for setFieldValue. */
import { Scalar, parse } from 'yaml';
import { type ValueShape, generatedReadings } from './shape';
import { spaces } from './text';

export interface RenderContext {
  /** The value goes inside a flow collection (`{…}`/`[…]`): no block styles, more quoting. */
  inFlow: boolean;
  /** Quoting style of the scalar being replaced; new strings keep it when they can. */
  existingStyle: Scalar.Type | undefined;
  /** Body indentation (relative to the parent) of block scalars and nested collections. */
  step: number;
  sequenceOffset: number;
}

export class UnrenderableValueError extends Error {}

export function renderValue(value: unknown, context: RenderContext): ValueShape {
  if (isCollection(value)) return renderCollection(value, context);
  if (typeof value === 'string') return renderString(value, context);
  return inline(renderNonString(value));
}

type Collection = unknown[] | Record<string, unknown>;

function isCollection(value: unknown): value is Collection {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isEmptyCollection(value: Collection): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function inline(text: string): ValueShape {
  return { kind: 'inline', lines: [text] };
}

function renderString(value: string, context: RenderContext): ValueShape {
  const style = context.existingStyle;
  if (!context.inFlow && (style === Scalar.BLOCK_LITERAL || style === Scalar.BLOCK_FOLDED)) {
    const folded = style === Scalar.BLOCK_FOLDED ? foldedBlock(value, context.step) : undefined;
    const block = folded ?? literalBlock(value, context.step);
    if (block) return { kind: 'blockScalar', lines: block, parentColumn: 0 };
  }
  return inline(inlineString(value, style, context.inFlow));
}

function inlineString(value: string, style: Scalar.Type | undefined, inFlow: boolean): string {
  if (style === Scalar.QUOTE_DOUBLE) return doubleQuoted(value);
  if (style === Scalar.QUOTE_SINGLE) return singleQuoted(value) ?? doubleQuoted(value);
  return isSafePlain(value, inFlow) ? value : doubleQuoted(value);
}

function renderNonString(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return renderNumber(value);
  throw new UnrenderableValueError(`cannot write a value of type ${describeType(value)} as YAML`);
}

function describeType(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

function renderNumber(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (value === Infinity) return '.inf';
  if (value === -Infinity) return '-.inf';
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

function renderCollection(value: Collection, context: RenderContext): ValueShape {
  if (isEmptyCollection(value)) return inline(Array.isArray(value) ? '[]' : '{}');
  if (context.inFlow) return inline(flowText(value));
  return {
    kind: 'blockCollection',
    lines: blockLines(value, context),
    collection: Array.isArray(value) ? 'seq' : 'map',
    readings: generatedReadings(),
    fromSource: false,
  };
}

/** Block lines for a non-empty collection, as if it started at column 0. */
function blockLines(value: Collection, context: RenderContext): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => sequenceItemLines(item, context));
  return Object.entries(value).flatMap(([key, item]) => mapEntryLines(key, item, context));
}

function sequenceItemLines(item: unknown, context: RenderContext): string[] {
  if (!isCollection(item) || isEmptyCollection(item)) return [`- ${nestedScalarText(item, false)}`];
  const [first, ...rest] = blockLines(item, context);
  return [`- ${first}`, ...rest.map((line) => `  ${line}`)];
}

function mapEntryLines(key: string, item: unknown, context: RenderContext): string[] {
  const keyText = renderKey(key, false);
  if (!isCollection(item) || isEmptyCollection(item)) return [`${keyText}: ${nestedScalarText(item, false)}`];
  const offset = Array.isArray(item) ? context.sequenceOffset : context.step;
  return [`${keyText}:`, ...blockLines(item, context).map((line) => spaces(offset) + line)];
}

function flowText(value: unknown): string {
  if (!isCollection(value)) return nestedScalarText(value, true);
  if (Array.isArray(value)) return `[${value.map(flowText).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${renderKey(key, true)}: ${flowText(item)}`)
    .join(', ')}}`;
}

function nestedScalarText(value: unknown, inFlow: boolean): string {
  if (isCollection(value)) return Array.isArray(value) ? '[]' : '{}';
  return typeof value === 'string' ? inlineString(value, undefined, inFlow) : renderNonString(value);
}

export function renderKey(key: string, inFlow: boolean): string {
  // `<<` written plain would become a merge key.
  return key !== '<<' && isSafePlain(key, inFlow) ? key : doubleQuoted(key);
}

// Characters YAML cannot hold literally (or that readers treat inconsistently).
const NEEDS_ESCAPE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff\ud800-\udfff]/u;
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`]/;

/**
 * Plain only when it cannot be misread: no indicators, no `: ` or ` #`, and it reads back as
 * the same string under both YAML 1.2 and 1.1 (so `"true"`, `"1.0"`, `"022"`, `"yes"` get quoted).
 */
export function isSafePlain(value: string, inFlow: boolean): boolean {
  if (value === '' || value.trim() !== value || /[\t\r\n]/.test(value) || NEEDS_ESCAPE.test(value)) return false;
  if (INDICATOR_START.test(value) && !/^-[^\s,[\]{}#]/.test(value)) return false;
  if (value.includes(': ') || value.includes(' #') || value.endsWith(':')) return false;
  if (inFlow && /[,[\]{}:]/.test(value)) return false;
  if (/^(?:---|\.\.\.)(?:\s|$)/.test(value)) return false;
  return readsBackAsItself(value);
}

function readsBackAsItself(value: string): boolean {
  try {
    return parse(value, { version: '1.2' }) === value && parse(value, { version: '1.1' }) === value;
  } catch {
    return false;
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r' };

export function doubleQuoted(value: string): string {
  let out = '"';
  for (const char of value) {
    const simple = SIMPLE_ESCAPES[char];
    if (simple) out += simple;
    else if (NEEDS_ESCAPE.test(char)) out += escapeCodePoint(char.codePointAt(0)!);
    else out += char;
  }
  return `${out}"`;
}

function escapeCodePoint(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

function singleQuoted(value: string): string | undefined {
  if (/[\t\r\n]/.test(value) || NEEDS_ESCAPE.test(value)) return undefined;
  return `'${value.replace(/'/g, "''")}'`;
}

/** `|` block for a parent at column 0, or undefined when the string cannot be written literally. */
function literalBlock(value: string, indent: number): string[] | undefined {
  const trailingBreaks = /\n*$/.exec(value)![0].length;
  const body = value.slice(0, value.length - trailingBreaks);
  // Kept trailing blank lines (`|+`) would sit outside the value's span on later edits.
  if (body === '' || trailingBreaks > 1 || /\r/.test(body) || NEEDS_ESCAPE.test(body)) return undefined;
  const lines = body.split('\n');
  // Whitespace-only lines would confuse indentation detection.
  if (lines.some((line) => line !== '' && line.trim() === '')) return undefined;
  const firstContent = lines.find((line) => line !== '')!;
  const indicator = firstContent.startsWith(' ') ? String(indent) : '';
  const chomping = trailingBreaks === 0 ? '-' : '';
  return [`|${indicator}${chomping}`, ...lines.map((line) => (line === '' ? '' : spaces(indent) + line))];
}

/** `>` block for single-line strings only: folding multi-line text would need blank lines. */
function foldedBlock(value: string, indent: number): string[] | undefined {
  const body = value.endsWith('\n') ? value.slice(0, -1) : value;
  if (body === '' || body.trim() !== body || /[\t\r\n]/.test(body) || NEEDS_ESCAPE.test(body)) return undefined;
  return [body === value ? '>-' : '>', spaces(indent) + body];
}
