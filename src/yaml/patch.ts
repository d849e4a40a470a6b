import { isMap, isScalar, parseDocument } from 'yaml';
import { detectIndentStyle, firstLineOf } from './document';
import { YamlFieldError, fieldNotFound, inFile, unsupportedEdit } from './errors';
import { blockScalarIndent, nodeSpan } from './geometry';
import { type ValueSlot, resolveField, slotsOf } from './locate';
import { type PathSegment, parseFieldPath } from './path';
import {
  type EditSession,
  type ShapeFactory,
  type ShapeTarget,
  UnplannableEditError,
  planMapInsertion,
  planNullExpansion,
  planReplacement,
  planRootInsertion,
} from './plan';
import { parseYaml, readField } from './read';
import { planEntryRemoval } from './removal';
import { UnrenderableValueError, renderValue } from './render';
import { type ValueShape, shapeFromRaw } from './shape';
import { type Splice, applySplice, detectLineEnding } from './text';
import { parseFirstDocument, rememberEdit } from './texts';

interface FieldEdit extends EditSession {
  path: string;
  segments: PathSegment[];
  fileName: string | undefined;
}

/**
 * Replaces the value at `path` with `raw` YAML text (a scalar, or a block taken from another
 * version of the file, re-indented to fit). A missing key is added to its parent mapping,
 * creating missing intermediate mappings. Only the replaced or inserted span changes.
 */
export function setFieldRaw(source: string, path: string, raw: string, fileName?: string): string {
  const edit = openEdit(source, path, fileName);
  const shape = shapeFromRaw(raw);
  if (!shape) throw invalidRaw(raw, path, fileName);
  return finish(edit, plan(edit, () => shape));
}

/**
 * Writes a JS value at `path`. Strings keep the quoting style of the scalar they replace when
 * possible, and are quoted whenever plain text would read back as something else.
 */
export function setFieldValue(source: string, path: string, value: unknown, fileName?: string): string {
  const edit = openEdit(source, path, fileName);
  let problem = 'the written value would not read back unchanged';
  // First in the style of the value being replaced, then in the most explicit style.
  for (const keepStyle of [true, false]) {
    const splice = plan(edit, (target) => shapeForValue(edit, value, target, keepStyle));
    const candidate = applySplice(source, splice);
    rememberEdit(source, splice, candidate);
    const invalidity = invalidityOf(candidate);
    if (invalidity) problem = invalidity;
    else if (readsBack(candidate, edit, value)) return candidate;
  }
  throw unsupportedEdit(path, fileName, problem);
}

/** Removes the key (or sequence item) at `path` with its value. */
export function deleteField(source: string, path: string, fileName?: string): string {
  const edit = openEdit(source, path, fileName);
  const resolution = resolveField(edit.document, edit.segments);
  if (resolution.kind !== 'found') {
    throw fieldNotFound(path, fileName, resolution.kind === 'blocked' ? resolution.reason : undefined);
  }
  if (resolution.sharedBecause) throw unsupportedEdit(path, fileName, resolution.sharedBecause);
  if (resolution.inheritedFrom) {
    throw unsupportedEdit(path, fileName, 'it is inherited through a merge key (<<) and can only be overridden');
  }
  return finish(edit, withContext(edit, () => removalOf(edit, resolution.slot)));
}

function invalidRaw(raw: string, path: string, fileName: string | undefined): YamlFieldError {
  const error = parseDocument(raw).errors[0];
  const detail = error ? `: ${firstLineOf(error)}` : '';
  return new YamlFieldError('YAML_PARSE_ERROR', `new value for field "${path}"${inFile(fileName)} is not valid YAML${detail}`, {
    path,
    fileName,
  });
}

function openEdit(source: string, path: string, fileName: string | undefined): FieldEdit {
  const segments = parseFieldPath(path);
  const document = parseFirstDocument(source, fileName);
  return {
    source,
    document,
    eol: detectLineEnding(source),
    style: detectIndentStyle(source, document),
    path,
    segments,
    fileName,
  };
}

function plan(edit: FieldEdit, makeShape: ShapeFactory): Splice {
  return withContext(edit, () => planEdit(edit, makeShape));
}

function planEdit(edit: FieldEdit, makeShape: ShapeFactory): Splice {
  const { path, fileName } = edit;
  const resolution = resolveField(edit.document, edit.segments);
  if (resolution.kind === 'blocked') throw fieldNotFound(path, fileName, resolution.reason);
  if (resolution.sharedBecause) throw unsupportedEdit(path, fileName, resolution.sharedBecause);
  if (resolution.kind === 'found') {
    if (!resolution.inheritedFrom) return planReplacement(edit, resolution.slot, makeShape);
    // Overriding an inherited key in the mapping itself leaves the merge source alone.
    return planMapInsertion(edit, resolution.inheritedFrom, [edit.segments.at(-1) as string], makeShape);
  }
  const keys = keysToCreate(edit, resolution.depth);
  const { holder, holderSlot } = resolution;
  if (isMap(holder)) return planMapInsertion(edit, holder, keys, makeShape);
  if (holderSlot) return planNullExpansion(edit, holderSlot, keys, makeShape);
  return planRootInsertion(edit, holder, keys, makeShape);
}

function keysToCreate(edit: FieldEdit, depth: number): string[] {
  const missing = edit.segments.slice(depth);
  const index = missing.find((segment) => typeof segment === 'number');
  if (index !== undefined) throw fieldNotFound(edit.path, edit.fileName, `sequence item [${index}] cannot be created`);
  return missing as string[];
}

/** A block collection never becomes empty lines: its last entry leaves `{}` or `[]` behind. */
function removalOf(edit: FieldEdit, slot: ValueSlot): Splice {
  const container = slot.container;
  if (container.flow || slotsOf(container).length > 1) return planEntryRemoval(edit.source, slot);
  const empty: ValueShape = { kind: 'inline', lines: [isMap(container) ? '{}' : '[]'] };
  const parent = resolveField(edit.document, edit.segments.slice(0, -1));
  if (edit.segments.length > 1 && parent.kind === 'found') return planReplacement(edit, parent.slot, () => empty);
  const [start, end] = nodeSpan(edit.source, container);
  return { start, end, text: empty.lines[0]! };
}

function shapeForValue(edit: FieldEdit, value: unknown, target: ShapeTarget, keepStyle: boolean): ValueShape {
  const existing = target.existing;
  return renderValue(value, {
    inFlow: target.inFlow,
    existingStyle: keepStyle && isScalar(existing) ? existing.type : undefined,
    step: blockScalarIndent(edit.source, existing, target.parentColumn) ?? edit.style.step,
    sequenceOffset: target.sequenceOffset,
  });
}

/** Planning errors carry no path; give them the caller's. */
function withContext<T>(edit: FieldEdit, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof UnplannableEditError || error instanceof UnrenderableValueError) {
      throw unsupportedEdit(edit.path, edit.fileName, error.message);
    }
    throw error;
  }
}

/** Applies the splice, refusing results that do not parse or whose aliases lost their anchor. */
function finish(edit: FieldEdit, splice: Splice): string {
  const result = applySplice(edit.source, splice);
  // Checked (and later read) through the edited entry alone when the edit fits one.
  rememberEdit(edit.source, splice, result);
  const invalidity = invalidityOf(result);
  if (invalidity) throw unsupportedEdit(edit.path, edit.fileName, invalidity);
  return result;
}

function invalidityOf(text: string): string | undefined {
  try {
    parseYaml(text);
    return undefined;
  } catch (error) {
    const detail = error instanceof YamlFieldError ? error.message.replace(/^invalid YAML: /, '') : String(error);
    return `the result would not be valid YAML (${detail})`;
  }
}

function readsBack(candidate: string, edit: FieldEdit, value: unknown): boolean {
  try {
    const read = readField(candidate, edit.path, edit.fileName);
    return read.found && deepEqual(read.value, value);
  } catch {
    return false;
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (!isRecord(a) || !isRecord(b) || Array.isArray(a) || Array.isArray(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}
