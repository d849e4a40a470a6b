/** Expected failures: each carries a stable machine code and the spec's HTTP-like status. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, 400, details);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'missing or unknown bearer token') {
    super('UNAUTHENTICATED', message, 401);
  }
}

export class ForbiddenError extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, 403, details);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, details?: Record<string, unknown>) {
    super('NOT_FOUND', `${what} not found`, 404, details);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, 409, details);
  }
}

export class ExecutionError extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, 500, details);
  }
}

/** Disk or database full: nothing more can be written until space is freed. */
export class StorageFullError extends DomainError {
  constructor(message = 'storage is full: nothing was written; free disk space and retry', details?: Record<string, unknown>) {
    super('STORAGE_FULL', message, 503, details);
  }
}

/** The repository and the database disagree in a way Backtrack must not paper over (e.g. main is gone). */
export class RepositoryInconsistentError extends DomainError {
  readonly alarm = true;
  constructor(message: string, details?: Record<string, unknown>) {
    super('REPOSITORY_INCONSISTENT', message, 500, details);
  }
}

/** Git objects that cannot be read back: a damaged repository, reported with what it affects. */
export class RepositoryCorruptError extends DomainError {
  readonly alarm = true;
  constructor(message: string, details?: Record<string, unknown>) {
    super('REPOSITORY_CORRUPT', message, 500, details);
  }
}

export function isStorageFull(error: unknown): boolean {
  return error instanceof DomainError && error.code === 'STORAGE_FULL';
}

/** A DomainError as plain data, to cross a thread boundary (structured clone keeps neither its class nor its fields). */
export interface DomainErrorData {
  message: string;
  /** Its own fields: name, code, status, details (and alarm). */
  fields: Record<string, unknown>;
}

export function domainErrorData(error: DomainError): DomainErrorData {
  return { message: error.message, fields: { ...error } };
}

const ERROR_CLASSES: Record<string, { prototype: DomainError }> = {
  DomainError,
  BadRequestError,
  UnauthenticatedError,
  ForbiddenError,
  NotFoundError,
  ConflictError,
  ExecutionError,
  StorageFullError,
  RepositoryInconsistentError,
  RepositoryCorruptError,
};

/** The error `data` describes, of its own class (built from the prototype: the constructors' signatures differ). */
export function revivedDomainError(data: DomainErrorData): DomainError {
  const error = Object.create((ERROR_CLASSES[String(data.fields.name)] ?? DomainError).prototype) as DomainError;
  Error.captureStackTrace(error, revivedDomainError);
  Object.defineProperty(error, 'message', { value: data.message, writable: true, configurable: true });
  return Object.assign(error, data.fields);
}
