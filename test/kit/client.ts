/** Typed GraphQL calls as a demo role or a token the test made, and the checks every API test makes on a result. */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { ExecutionResult, GraphQLFormattedError } from 'graphql';
import { expect } from 'vitest';
import { postDocument, type DemoRole, type TestApp } from './app';

/** A caller: one of the demo roles, or the plain token of a user or agent made by the test. */
export type Caller = DemoRole | { token: string };

export type ResultError = GraphQLFormattedError & { extensions: Record<string, unknown> };

export function tokenOf(t: TestApp, caller: Caller): string {
  return typeof caller === 'string' ? t.token(caller) : caller.token;
}

/** A call through the app's fetch handler (the full HTTP pipeline, no socket); `null` calls anonymously. */
export function call<R, V>(t: TestApp, caller: Caller | null, document: TypedDocumentNode<R, V>, variables?: V): Promise<ExecutionResult<R>> {
  return postDocument(t.app, caller === null ? null : tokenOf(t, caller), document, variables);
}

/** The data of a result that must have no errors. */
export function ok<R>(result: ExecutionResult<R>): R {
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!;
}

/** The single error of a failed call. */
export function failure(result: ExecutionResult<unknown>, expected = 'an error'): ResultError {
  expect(result.errors, `expected ${expected}, got data ${JSON.stringify(result.data)}`).toBeDefined();
  expect(result.errors).toHaveLength(1);
  return result.errors![0] as ResultError;
}

/** The single error of a failed call, checked for its code, status and (when given) message. */
export function expectError(result: ExecutionResult<unknown>, expected: { code: string; status: number; message?: string | RegExp }): ResultError {
  const error = failure(result, expected.code);
  expect(error.extensions?.code, JSON.stringify(error)).toBe(expected.code);
  expect(error.extensions?.status, JSON.stringify(error)).toBe(expected.status);
  if (typeof expected.message === 'string') expect(error.message).toBe(expected.message);
  else if (expected.message) expect(error.message).toMatch(expected.message);
  return error;
}

/** The code of a failed call's first error. */
export function errorCode(result: ExecutionResult<unknown>): unknown {
  expect(result.errors, `expected an error, got ${JSON.stringify(result.data)}`).toBeDefined();
  return result.errors![0]!.extensions?.code;
}
