export type YamlFieldErrorCode = 'INVALID_FIELD_PATH' | 'FIELD_NOT_FOUND' | 'YAML_PARSE_ERROR' | 'UNSUPPORTED_EDIT';

export interface YamlFieldErrorOptions {
  /** The field path the operation was about, as given by the caller. */
  path?: string;
  /** The file the YAML came from; only used to make messages readable. */
  fileName?: string;
  cause?: unknown;
}

/** Every expected failure of the yaml module: a stable code plus a message meant for humans. */
export class YamlFieldError extends Error {
  readonly code: YamlFieldErrorCode;
  readonly path?: string;
  readonly fileName?: string;

  constructor(code: YamlFieldErrorCode, message: string, options: YamlFieldErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'YamlFieldError';
    this.code = code;
    if (options.path !== undefined) this.path = options.path;
    if (options.fileName !== undefined) this.fileName = options.fileName;
  }
}

/** ` in values.yaml`, or nothing when the caller gave no file name. */
export function inFile(fileName: string | undefined): string {
  return fileName ? ` in ${fileName}` : '';
}

export function fieldNotFound(path: string, fileName?: string, detail?: string): YamlFieldError {
  const suffix = detail ? ` (${detail})` : '';
  return new YamlFieldError('FIELD_NOT_FOUND', `field "${path}" not found${inFile(fileName)}${suffix}`, { path, fileName });
}

export function unsupportedEdit(path: string, fileName: string | undefined, reason: string): YamlFieldError {
  return new YamlFieldError('UNSUPPORTED_EDIT', `cannot edit field "${path}"${inFile(fileName)}: ${reason}`, {
    path,
    fileName,
  });
}
