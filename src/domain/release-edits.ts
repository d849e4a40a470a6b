/** What a release does to a tenant-environment's files: whole-file replacements and surgical field edits (a compute task). */
import { readField, setFieldValue, YamlFieldError } from '../yaml';
import { BadRequestError, NotFoundError } from './errors';
import { BINDINGS_FILE, ENVIRONMENT_FILE, SERVICE_FILES, VALUES_FILE, VARIABLES_FILE, serviceFile } from './layout';
import { changedFiles, servicesIn, type ChangedFile, type FileMap } from './tenant-environment-files';

export interface FieldEdit {
  file: string;
  path: string;
  /** JSON value; absent means null. */
  value?: unknown;
}

export interface ServiceRelease {
  service: string;
  /** Field edits in values.yaml / bindings.yaml; only the edited values' bytes change. */
  setFields?: FieldEdit[];
  /** Whole-file replacements (creating a new service is a replacement of its values.yaml). */
  replaceFiles?: Array<{ file: string; content: string }>;
}

export interface ReleaseEdits {
  current: FileMap;
  services: ServiceRelease[];
  /** Edits of variables.yaml or environment.yaml. */
  environmentFields: FieldEdit[];
}

/** The files the release changes; a missing file, service or field is an error and nothing is written. */
export function applyReleaseEdits({ current, services, environmentFields }: ReleaseEdits): ChangedFile[] {
  const files = new Map(current);
  for (const release of services) {
    for (const replacement of release.replaceFiles ?? []) {
      assertServiceFile(replacement.file);
      files.set(serviceFile(release.service, replacement.file), replacement.content);
    }
    if (!servicesIn(files).includes(release.service)) throw new NotFoundError(`service ${release.service}`);
    for (const edit of release.setFields ?? []) {
      assertServiceFile(edit.file);
      editField(files, serviceFile(release.service, edit.file), edit);
    }
  }
  for (const edit of environmentFields) {
    if (edit.file !== VARIABLES_FILE && edit.file !== ENVIRONMENT_FILE) {
      throw new BadRequestError('INVALID_FILE', `environment fields live in ${VARIABLES_FILE} or ${ENVIRONMENT_FILE}, not ${edit.file}`);
    }
    editField(files, edit.file, edit);
  }
  return changedFiles(current, files);
}

function assertServiceFile(file: string): void {
  if (!(SERVICE_FILES as readonly string[]).includes(file)) {
    throw new BadRequestError('INVALID_FILE', `service files are ${VALUES_FILE} and ${BINDINGS_FILE}, not ${file}`);
  }
}

/** Edits an existing field in place; a missing file or field is an error and nothing is committed. */
function editField(files: FileMap, path: string, edit: FieldEdit): void {
  const source = files.get(path);
  if (source === undefined) throw new BadRequestError('FILE_NOT_FOUND', `file ${path} does not exist`);
  try {
    if (!readField(source, edit.path, path).found) {
      throw new BadRequestError('FIELD_NOT_FOUND', `field "${edit.path}" not found in ${path}`, { file: path, path: edit.path });
    }
    files.set(path, setFieldValue(source, edit.path, edit.value ?? null, path));
  } catch (error) {
    if (error instanceof YamlFieldError) throw new BadRequestError(error.code, error.message, { file: path, path: edit.path });
    throw error;
  }
}
