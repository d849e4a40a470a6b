/**
 * Rollback planning: from the files at head and at the target revision, the exact files the
 * rollback commit leaves behind (the README's "Modes and their exact Git effect").
 */
import { createHash } from 'node:crypto';
import { deleteField, formatFieldPath, parseFieldPath, readField, rememberAsEditOf, setFieldRaw, setFieldValue, YamlFieldError } from '../../yaml';
import type { RollbackMode, SelectedField } from '../model';
import { compareFiles, type FileDiff, type FilesDiff, type ServicesOnEachSide } from '../diff/compare-files';
import { BadRequestError } from '../errors';
import { SERVICE_FILES, VARIABLES_FILE, serviceDir, serviceFile } from '../layout';
import { BINARY_PREFIX, servicesIn, type FileMap } from '../tenant-environment-files';

export interface RollbackScope {
  mode: RollbackMode;
  service: string | null;
  /** FIELD mode: files are `values.yaml`, `bindings.yaml` (the service's) or `variables.yaml` (its `services.<name>` keys). */
  fields: SelectedField[];
}

export interface RollbackPlan {
  scope: RollbackScope;
  /** The desired files before manifests are regenerated (FULL keeps the target's manifests byte for byte). */
  desired: FileMap;
  regenerateManifests: boolean;
}

export const SELECTED_FIELDS_EMPTY = 'selected fields cannot be empty for field mode';

/** Checks the request's shape before anything is read; the spec's messages, word for word. */
export function normalizeScope(input: { mode: RollbackMode; service?: string | null; fields?: SelectedField[] | null }): RollbackScope {
  const service = input.service?.trim() || null;
  if (input.mode === 'FULL') return { mode: 'FULL', service: null, fields: [] };
  if (!service) throw new BadRequestError('SERVICE_REQUIRED', `service is required for ${input.mode.toLowerCase()} mode`);
  if (input.mode === 'SERVICE') return { mode: 'SERVICE', service, fields: [] };
  const fields = dedupeFields(input.fields ?? []);
  if (fields.length === 0) throw new BadRequestError('SELECTED_FIELDS_EMPTY', SELECTED_FIELDS_EMPTY);
  return { mode: 'FIELD', service, fields };
}

function dedupeFields(fields: SelectedField[]): SelectedField[] {
  const seen = new Map<string, SelectedField>();
  for (const field of fields) {
    const file = field.file?.trim() || 'values.yaml';
    if (file !== VARIABLES_FILE && !(SERVICE_FILES as readonly string[]).includes(file)) {
      throw new BadRequestError('INVALID_FIELD_FILE', `selected fields live in values.yaml, bindings.yaml or variables.yaml, not ${file}`);
    }
    if (/[\u0000-\u001f\u007f]/.test(field.path)) {
      // Paths end up in the commit message; a line break could forge its metadata lines.
      throw new BadRequestError('INVALID_FIELD_PATH', 'a field path cannot contain control characters or line breaks', { file });
    }
    let path: string;
    try {
      path = formatFieldPath(parseFieldPath(field.path));
    } catch (error) {
      if (error instanceof YamlFieldError) throw new BadRequestError(error.code, error.message, { file, path: field.path });
      throw error;
    }
    seen.set(`${file}\u0000${path}`, { file, path });
  }
  return [...seen.values()];
}

export function planRollback(scope: RollbackScope, current: FileMap, target: FileMap): RollbackPlan {
  if (scope.mode === 'FULL') return { scope, desired: new Map(target), regenerateManifests: false };
  const service = scope.service!;
  if (!servicesIn(current).includes(service) && !servicesIn(target).includes(service)) {
    throw new BadRequestError('SERVICE_NOT_FOUND', `service ${service} exists at neither the current nor the target revision`, { service });
  }
  const desired = scope.mode === 'SERVICE' ? planService(service, current, target) : planFields(service, scope.fields, current, target);
  return { scope, desired, regenerateManifests: true };
}

function planService(service: string, current: FileMap, target: FileMap): FileMap {
  const desired = new Map(current);
  const prefix = `${serviceDir(service)}/`;
  for (const path of current.keys()) if (path.startsWith(prefix)) desired.delete(path);
  for (const [path, content] of target) if (path.startsWith(prefix)) desired.set(path, content);
  // The manifest is derived: it is regenerated (or removed) when the service's inputs change, and
  // kept as it is otherwise — deleting it here would drop the manifest of an unchanged service.
  const variables = revertYamlValue(desired.get(VARIABLES_FILE), target.get(VARIABLES_FILE), formatFieldPath(['services', service]), VARIABLES_FILE);
  if (variables !== undefined) desired.set(VARIABLES_FILE, variables);
  return desired;
}

function planFields(service: string, fields: SelectedField[], current: FileMap, target: FileMap): FileMap {
  const desired = new Map(current);
  for (const field of fields) {
    const { file, yamlPath } = locateField(service, field);
    const currentSource = desired.get(file);
    const targetSource = target.get(file);
    if (currentSource === undefined && targetSource === undefined) {
      throw new BadRequestError('FIELD_NOT_FOUND', `selected field ${field.file} ${field.path} of ${service} exists at neither the current nor the target revision`, field as never);
    }
    if (currentSource === undefined) {
      throw new BadRequestError('FILE_NOT_FOUND', `cannot patch ${file}: it does not exist at the current revision; use a service rollback`, { file });
    }
    const patched = revertYamlValue(currentSource, targetSource, yamlPath, file, true);
    if (patched === undefined) {
      throw new BadRequestError('FIELD_NOT_FOUND', `selected field ${field.file} ${field.path} of ${service} exists at neither the current nor the target revision`, {
        file: field.file,
        path: field.path,
      });
    }
    desired.set(file, patched);
  }
  return desired;
}

/** Where a selected field lives: the service's own file, or its key under `services.<name>` of variables.yaml. */
export function locateField(service: string, field: SelectedField): { file: string; yamlPath: string } {
  if (field.file === VARIABLES_FILE) {
    return { file: VARIABLES_FILE, yamlPath: formatFieldPath(['services', service, ...parseFieldPath(field.path)]) };
  }
  return { file: serviceFile(service, field.file), yamlPath: field.path };
}

/**
 * Gives `path` in `current` the target's value, touching only that value's bytes: replaced with the
 * target's own source text, inserted when missing, deleted when the target has none. When that text
 * would not mean the same here (an alias whose anchor differs in the current file), the target's value
 * is written instead. `byValue` (FIELD mode) leaves a field alone whose value already equals the
 * target's, even if it is spelled differently. Returns undefined when the field exists in neither version.
 */
function revertYamlValue(current: string | undefined, target: string | undefined, path: string, fileName: string, byValue = false): string | undefined {
  if (current === undefined) return undefined;
  if (current.startsWith(BINARY_PREFIX) || target?.startsWith(BINARY_PREFIX)) {
    throw new BadRequestError('FILE_NOT_UTF8', `cannot edit ${path} in ${fileName}: the file is not UTF-8 text; a full rollback restores it byte for byte`, {
      file: fileName,
      path,
    });
  }
  try {
    const now = readField(current, path, fileName);
    // The target is usually the current file with a few values changed: parsed through what changed.
    if (target !== undefined) rememberAsEditOf(target, current);
    const then = target === undefined ? { found: false as const } : readField(target, path, fileName);
    if (!now.found && !then.found) return undefined;
    if (!then.found) return deleteField(current, path, fileName);
    if (now.found && (now.raw === then.raw || (byValue && sameValue(now.value, then.value)))) return current;
    const patched = setFieldRaw(current, path, then.raw, fileName);
    // Text with an alias (or a tag) may mean something else in this file than in the target's.
    if (!/[*!]/.test(then.raw)) return patched;
    const check = readField(patched, path, fileName);
    if (check.found && sameValue(check.value, then.value)) return patched;
    return setFieldValue(current, path, then.value, fileName);
  } catch (error) {
    if (error instanceof YamlFieldError) throw new BadRequestError(error.code, error.message, { file: fileName, path });
    throw error;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.hasOwn(b, key) && sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
  );
}

/**
 * A stable fingerprint of what the rollback changes, independent of the base commit. Manifests are
 * derived, so they are left out. Field-sized changes are fingerprinted by their field changes (path,
 * kind, before, after): variables.yaml always (its other keys belong to other services), and every
 * YAML file in FIELD mode, whose commit touches only the selected values — so an edit of another field
 * of the same file is not a different rollback. Everything else by its text diff.
 */
/** Whether the preview hash fingerprints a file by its text diff (otherwise by its field changes, or not at all). */
export function hashUsesTextDiff(scope: RollbackScope, file: FileDiff): boolean {
  if (file.category === 'MANIFEST') return false;
  const byFields =
    !file.parseError && file.category !== 'OTHER' && (file.category === 'VARIABLES' || (scope.mode === 'FIELD' && file.kind === 'MODIFIED'));
  return !byFields;
}

/** A file's share of the preview hash; manifests have none. */
export type PreviewHashPart = { path: string; kind: string; diff: string | null } | { path: string; fields: unknown[][] };

export function previewHashPart(scope: RollbackScope, file: FileDiff): PreviewHashPart | null {
  if (file.category === 'MANIFEST') return null;
  const sha = (text: string | undefined) => (text === undefined ? null : createHash('sha256').update(text).digest('hex'));
  return hashUsesTextDiff(scope, file)
    ? { path: file.path, kind: file.kind, diff: sha(file.unifiedDiff.split('\n').slice(2).join('\n')) }
    : { path: file.path, fields: file.fields.map((f) => [f.path, f.kind, f.before, f.after]) };
}

/** The hash from the parts of the files in path order (computed where their diffs were). */
export function previewHashOfParts(scope: RollbackScope, targetSha: string, parts: ReadonlyArray<PreviewHashPart | null>): string {
  return createHash('sha256')
    .update(JSON.stringify({ scope, targetSha, parts: parts.filter((part) => part !== null) }))
    .digest('hex')
    .slice(0, 32);
}

export function previewHash(scope: RollbackScope, targetSha: string, diff: FilesDiff): string {
  return previewHashOfParts(scope, targetSha, diff.files.map((file) => previewHashPart(scope, file)));
}

/** Which files of a rollback's diff get a unified text diff: all (a preview), those the hash reads (execution), or none (its hash is known). */
export type TextDiffs = 'all' | 'hash' | 'none';

export function textDiffPredicate(scope: RollbackScope, textDiffs: TextDiffs): ((file: FileDiff) => boolean) | undefined {
  if (textDiffs === 'all') return undefined;
  if (textDiffs === 'none') return () => false;
  return (file) => hashUsesTextDiff(scope, file);
}

export function diffOfPlan(current: FileMap, final: FileMap, scope: RollbackScope, textDiffs: TextDiffs = 'all', services?: ServicesOnEachSide): FilesDiff {
  return compareFiles(current, final, { labels: ROLLBACK_LABELS, needsTextDiff: textDiffPredicate(scope, textDiffs), services });
}

export const ROLLBACK_LABELS = { before: 'current', after: 'rollback' };
