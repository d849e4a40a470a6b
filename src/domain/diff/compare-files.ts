/** Structured comparison of two versions of a tenant-environment: per service, per file, per YAML field. */
import { createTwoFilesPatch } from 'diff';
import { flattenLeaves, formatFieldPath, parseYaml, rememberAsEditOf, type PathSegment } from '../../yaml';
import { BINDINGS_FILE, ENVIRONMENT_FILE, VARIABLES_FILE, serviceOfPath } from '../layout';
import { canonicalJson } from '../canonical-json';
import type { DiffCounts } from '../model';
import { servicesIn, type FileMap } from '../tenant-environment-files';

export type ChangeKind = 'ADDED' | 'REMOVED' | 'MODIFIED';
export type FileCategory = 'VALUES' | 'BINDINGS' | 'VARIABLES' | 'ENVIRONMENT' | 'MANIFEST' | 'OTHER';

export interface FieldDiff {
  /** Tenant-environment-relative file path. */
  file: string;
  /** YAML path inside the file, e.g. `image.tag`. */
  path: string;
  /** The service the field belongs to (service-scoped variables included), null for environment-level fields. */
  service: string | null;
  kind: ChangeKind;
  before: unknown;
  after: unknown;
}

export interface FileDiff {
  path: string;
  service: string | null;
  category: FileCategory;
  kind: ChangeKind;
  fields: FieldDiff[];
  unifiedDiff: string;
  linesAdded: number;
  linesRemoved: number;
  /** Set when either side is not valid YAML; the file is still listed with its text diff. */
  parseError: string | null;
}

export interface ServiceDiff {
  service: string;
  kind: ChangeKind;
  files: FileDiff[];
  fields: FieldDiff[];
}

export type { DiffCounts };

export interface FilesDiff {
  files: FileDiff[];
  services: ServiceDiff[];
  /** Fields that belong to no service (environment.yaml, global variables). */
  environmentFields: FieldDiff[];
  counts: DiffCounts;
}

export function categoryOf(path: string): FileCategory {
  if (path.startsWith('manifests/')) return 'MANIFEST';
  if (path === VARIABLES_FILE) return 'VARIABLES';
  if (path === ENVIRONMENT_FILE) return 'ENVIRONMENT';
  if (path.endsWith(`/${BINDINGS_FILE}`)) return 'BINDINGS';
  if (path.startsWith('services/') && path.endsWith('/values.yaml')) return 'VALUES';
  return 'OTHER';
}

export interface CompareOptions {
  labels?: { before: string; after: string };
  /** Whether a file needs its unified text diff (default: all do); rollback execution skips what it does not hash. */
  needsTextDiff?: (file: FileDiff) => boolean;
  /**
   * The services on each side, when `before` and `after` hold only some of the files (those a tree diff
   * found changed); by default they are read off the maps.
   */
  services?: ServicesOnEachSide;
}

export interface ServicesOnEachSide {
  before: Iterable<string>;
  after: Iterable<string>;
}

export function compareFiles(before: FileMap, after: FileMap, options: CompareOptions = {}): FilesDiff {
  const labels = options.labels ?? { before: 'current', after: 'target' };
  const paths = [...new Set([...before.keys(), ...after.keys()])].filter((p) => before.get(p) !== after.get(p)).sort();
  const files = paths.map((path) => compareFile(path, before.get(path), after.get(path), labels, options.needsTextDiff));
  return assembleDiff(files, options.services ?? { before: servicesIn(before), after: servicesIn(after) });
}

/** The per-file part of compareFiles, for files already known to differ (it can run in parts, in parallel). */
export function compareFileContents(
  files: ReadonlyArray<readonly [path: string, before: string | undefined, after: string | undefined]>,
  options: Pick<CompareOptions, 'labels' | 'needsTextDiff'> = {},
): FileDiff[] {
  const labels = options.labels ?? { before: 'current', after: 'target' };
  return files.map(([path, before, after]) => compareFile(path, before, after, labels, options.needsTextDiff));
}

/** Groups per-file diffs (in path order) by service and counts them. */
export function assembleDiff(files: FileDiff[], services: ServicesOnEachSide): FilesDiff {
  const existedBefore = new Set(services.before);
  const existsAfter = new Set(services.after);
  const kindOf = (service: string): ChangeKind => (!existedBefore.has(service) ? 'ADDED' : !existsAfter.has(service) ? 'REMOVED' : 'MODIFIED');
  const servicesByName = new Map<string, ServiceDiff>();
  const environmentFields: FieldDiff[] = [];
  const serviceEntry = (service: string) => {
    let entry = servicesByName.get(service);
    if (!entry) {
      entry = { service, kind: kindOf(service), files: [], fields: [] };
      servicesByName.set(service, entry);
    }
    return entry;
  };
  for (const file of files) {
    if (file.service) serviceEntry(file.service).files.push(file);
    for (const field of file.fields) {
      if (field.service) serviceEntry(field.service).fields.push(field);
      else environmentFields.push(field);
    }
  }
  const byName = [...servicesByName.values()].sort((a, b) => a.service.localeCompare(b.service));
  const inputServices = byName.filter((s) => s.files.some((f) => f.category !== 'MANIFEST') || s.fields.length > 0);
  return {
    files,
    services: byName,
    environmentFields,
    counts: {
      files: files.length,
      services: inputServices.length,
      bindings: files.filter((f) => f.category === 'BINDINGS').length,
      variables: files
        .filter((f) => f.category === 'VARIABLES')
        .reduce((sum, f) => sum + (f.parseError ? 1 : f.fields.length), 0),
    },
  };
}

function compareFile(
  path: string,
  before: string | undefined,
  after: string | undefined,
  labels: { before: string; after: string },
  needsTextDiff: (file: FileDiff) => boolean = () => true,
): FileDiff {
  const kind: ChangeKind = before === undefined ? 'ADDED' : after === undefined ? 'REMOVED' : 'MODIFIED';
  const category = categoryOf(path);
  const file: FileDiff = {
    path,
    service: serviceOfPath(path),
    category,
    kind,
    fields: [],
    unifiedDiff: '',
    linesAdded: 0,
    linesRemoved: 0,
    parseError: null,
  };
  if (category !== 'MANIFEST' && category !== 'OTHER') {
    try {
      const was = parseValue(before, path);
      // Versions of a file mostly share their text: the later one is parsed through what changed.
      if (before !== undefined && after !== undefined) rememberAsEditOf(after, before);
      const is = parseValue(after, path);
      file.fields = compareFields(path, flattenLeaves(was, is), flattenLeaves(is, was));
    } catch (error) {
      file.parseError = (error as Error).message;
    }
  }
  if (!needsTextDiff(file)) return file;
  file.unifiedDiff = createTwoFilesPatch(
    before === undefined ? '/dev/null' : `a/${path}`,
    after === undefined ? '/dev/null' : `b/${path}`,
    before ?? '',
    after ?? '',
    labels.before,
    labels.after,
    { context: 3 },
  );
  const lines = file.unifiedDiff.split('\n').slice(4);
  file.linesAdded = lines.filter((l) => l.startsWith('+')).length;
  file.linesRemoved = lines.filter((l) => l.startsWith('-')).length;
  return file;
}

/** A missing file has no leaves, like an empty one. */
function parseValue(source: string | undefined, path: string): unknown {
  return source === undefined ? {} : (parseYaml(source, path) ?? {});
}

function compareFields(file: string, before: Map<string, unknown>, after: Map<string, unknown>): FieldDiff[] {
  const paths = [...new Set([...before.keys(), ...after.keys()])];
  const fields: FieldDiff[] = [];
  for (const path of paths) {
    const had = before.has(path);
    const has = after.has(path);
    if (had && has && sameLeaf(before.get(path), after.get(path))) continue;
    fields.push({
      file,
      path,
      service: fieldService(file, path),
      kind: !had ? 'ADDED' : !has ? 'REMOVED' : 'MODIFIED',
      before: had ? before.get(path) : null,
      after: has ? after.get(path) : null,
    });
  }
  return fields;
}

/** Key order inside a leaf (a sequence of mappings) does not make it differ. */
function sameLeaf(a: unknown, b: unknown): boolean {
  return a === b || canonicalJson(a) === canonicalJson(b);
}

/** The owning service of a field: its file's service, or `services.<name>` inside variables.yaml. */
function fieldService(file: string, path: string): string | null {
  if (file === VARIABLES_FILE) {
    const match = /^services\.([^.[\]]+)(?:[.[]|$)/.exec(path);
    return match ? match[1]! : null;
  }
  return serviceOfPath(file);
}

/** One-line summaries like `api-gateway: image.tag v2.0.9 → v2.1.0`, for deployment history. */
export function summarizeChanges(diff: FilesDiff, limit = 12): string[] {
  const lines: string[] = [];
  for (const service of diff.services) {
    if (service.kind !== 'MODIFIED') {
      lines.push(`${service.service}: service ${service.kind === 'ADDED' ? 'added' : 'removed'}`);
      continue;
    }
    // A values or bindings file that appears or disappears as a whole is one line, not one per field.
    const wholeFiles = new Set(service.files.filter((f) => f.kind !== 'MODIFIED' && f.category !== 'MANIFEST').map((f) => f.path));
    for (const field of service.fields) {
      if (!wholeFiles.has(field.file)) lines.push(...describeField(field).map((text) => `${service.service}: ${text}`));
    }
    for (const file of service.files) {
      if (file.parseError) lines.push(`${service.service}: ${file.path} changed (not valid YAML)`);
      else if (wholeFiles.has(file.path)) lines.push(`${service.service}: ${file.path} ${file.kind.toLowerCase()}`);
    }
  }
  // Likewise for a whole environment-level file.
  const wholeFiles = new Set(diff.files.filter((f) => !f.service && f.kind !== 'MODIFIED').map((f) => f.path));
  for (const field of diff.environmentFields) {
    if (wholeFiles.has(field.file)) continue;
    const scope = field.file === VARIABLES_FILE ? 'variables' : 'environment';
    lines.push(...describeField(field).map((text) => `${scope}: ${text}`));
  }
  for (const file of diff.files) {
    if (!file.service && (file.category === 'OTHER' || file.parseError || wholeFiles.has(file.path))) {
      lines.push(`${file.path} ${file.kind.toLowerCase()}`);
    }
  }
  if (lines.length > limit) return [...lines.slice(0, limit), `… and ${lines.length - limit} more changes`];
  return lines;
}

/**
 * One line per changed value. A list or mapping that changed as a whole (a sequence is one field) is
 * described by the elements that differ, e.g. `manifests[0].host a → b`, so the line says what changed.
 */
function describeField(field: FieldDiff): string[] {
  const path = field.file === VARIABLES_FILE && field.service ? field.path.replace(`services.${field.service}.`, 'variables.') : field.path;
  if (field.kind === 'ADDED') return [`${path} added (${display(field.after)})`];
  if (field.kind === 'REMOVED') return [`${path} removed (was ${display(field.before)})`];
  const nested: string[] = [];
  collectChanges(field.before, field.after, [], nested, path);
  if (nested.length === 0) return [`${path} ${display(field.before)} → ${display(field.after)}`];
  if (nested.length > MAX_NESTED_CHANGES) return [...nested.slice(0, MAX_NESTED_CHANGES), `${path}: ${nested.length - MAX_NESTED_CHANGES} more changes`];
  return nested;
}

const MAX_NESTED_CHANGES = 3;

/** Leaf differences inside two lists or two mappings; a scalar or a change of shape is one leaf. */
function collectChanges(before: unknown, after: unknown, at: PathSegment[], out: string[], root: string): void {
  const keys: PathSegment[] | null =
    Array.isArray(before) && Array.isArray(after)
      ? [...Array(Math.max(before.length, after.length)).keys()]
      : isPlainRecord(before) && isPlainRecord(after)
        ? [...new Set([...Object.keys(before), ...Object.keys(after)])]
        : null;
  if (!keys) {
    if (at.length > 0 && JSON.stringify(before) !== JSON.stringify(after)) {
      out.push(`${subPath(root, at)} ${display(before)} → ${display(after)}`);
    }
    return;
  }
  const member = (value: unknown, key: PathSegment) => (value as Record<string | number, unknown>)[key];
  for (const key of keys) {
    const had = Object.hasOwn(before as object, key);
    const has = Object.hasOwn(after as object, key);
    const next = [...at, key];
    if (!had) out.push(`${subPath(root, next)} added (${display(member(after, key))})`);
    else if (!has) out.push(`${subPath(root, next)} removed (was ${display(member(before, key))})`);
    else collectChanges(member(before, key), member(after, key), next, out, root);
  }
}

function subPath(root: string, at: PathSegment[]): string {
  if (at.length === 0) return root;
  const rest = formatFieldPath(at);
  return rest.startsWith('[') ? `${root}${rest}` : `${root}.${rest}`;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function display(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 64 ? `${text.slice(0, 61)}…` : text;
}
