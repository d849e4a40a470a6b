/**
 * Unexpected errors reach clients as "Unexpected error." with INTERNAL_SERVER_ERROR and nothing
 * else (no stack, no file paths, no SQL), while the server log keeps the whole error with the
 * request id. Expected (domain) errors keep their message and code.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../kit/app';
import { HeadRevisionDocument } from '../kit/documents/workspace';
import { capturingLogger } from '../kit/logs';
import { bodyOf, post, PRODUCTION } from './helpers';

/** Nothing in a client response may reveal the server's insides. */
function expectNothingLeaked(text: string, secrets: string[]): void {
  expect(text).not.toMatch(/stack|stacktrace|exception/i);
  expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
  expect(text).not.toMatch(/SELECT|INSERT|UPDATE|FROM\s|no such table|SqliteError|sqlite/i);
  expect(text).not.toMatch(/libgit2|nodegit|\.git\b/i);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe('masked unexpected errors', () => {
  let t: TestApp;
  const capture = capturingLogger();
  beforeAll(async () => {
    t = await createTestApp({ logger: capture.logger });
  });
  afterAll(() => t.close());

  it('a healthy headRevision query works (control)', async () => {
    const response = await post(t, 'DEPLOYER', bodyOf(HeadRevisionDocument, PRODUCTION));
    expect(response.body.errors).toBeUndefined();
    expect((response.body.data as { tenantEnvironment: { headRevision: string } }).tenantEnvironment.headRevision).toMatch(/^[0-9a-f]{40}$/);
  });

  it('an expected error keeps its message and code (not masked)', async () => {
    const response = await post(t, 'DEPLOYER', {
      query: '{ tenantEnvironment(project: "shop", tenant: "acme", environment: "production") { compareWithCurrent(revision: "0123456789") { __typename } } }',
    });
    expect(response.body.errors).toHaveLength(1);
    const error = response.body.errors![0]!;
    expect(error.message).toBe('revision not found: 0123456789');
    expect(error.extensions?.code).toBe('REVISION_NOT_FOUND');
    expect(error.path).toEqual(['tenantEnvironment', 'compareWithCurrent']);
  });

  it('a Git failure (branch ref damaged under the running server) is masked for the client and logged in full', async () => {
    fs.writeFileSync(path.join(t.repoDir, 'refs/heads/main'), 'not a revision\n');
    const requestId = 'masking-git-1';
    const response = await post(t, 'DEPLOYER', bodyOf(HeadRevisionDocument, PRODUCTION), { 'x-request-id': requestId });

    expect(response.body.errors, response.text).toHaveLength(1);
    const error = response.body.errors![0]!;
    expect(error.message).toBe('Unexpected error.');
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', status: 500 });
    expect(Object.keys(error).sort()).toEqual(['extensions', 'locations', 'message', 'path']);
    expectNothingLeaked(response.text, [t.repoDir, t.dataDir]);

    const logged = capture.lines.find((line) => line.requestId === requestId && line.msg === 'unexpected error');
    expect(logged, JSON.stringify(capture.lines.slice(-5))).toBeDefined();
    expect(logged!.level).toBe(50);
    expect(capture.lines.find((line) => line.requestId === requestId && line.msg === 'operation')).toMatchObject({ errors: ['INTERNAL_SERVER_ERROR'] });
    expect(logged!.operationName).toBe('HeadRevision');
    expect(logged!.path).toEqual(['tenantEnvironment', 'headRevision']);
    // libgit2's error, as nodegit reports it (native, so its stack has no JavaScript frames).
    const err = logged!.err as { message: string; stack: string };
    expect(err.message).toMatch(/corrupted loose reference file: refs\/heads\/main/);
    expect(err.stack).toContain(err.message);
  });
});

describe('masked SQL errors', () => {
  let t: TestApp;
  const capture = capturingLogger();
  beforeAll(async () => {
    t = await createTestApp({ logger: capture.logger });
  });
  afterAll(() => t.close());

  it('an SQLite failure is masked for the client; the log has the SQL error', async () => {
    // The table disappears under the running server (a botched manual migration, say).
    const other = new Database(t.config.databaseFile);
    other.exec('ALTER TABLE rollback_requests RENAME TO rollback_requests_gone');
    other.close();
    const requestId = 'masking-sql-1';
    const response = await post(t, 'DEPLOYER', { query: 'query Lookup { rollbackRequest(id: "rbk-1") { id state } }' }, { 'x-request-id': requestId });

    expect(response.body.errors, response.text).toHaveLength(1);
    const error = response.body.errors![0]!;
    expect(error.message).toBe('Unexpected error.');
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', status: 500 });
    expectNothingLeaked(response.text, [t.dataDir, 'rollback_requests']);

    const logged = capture.lines.find((line) => line.requestId === requestId && line.msg === 'unexpected error');
    expect(logged, JSON.stringify(capture.lines.slice(-5))).toBeDefined();
    expect(logged!.operationName).toBe('Lookup');
    expect(JSON.stringify(logged!.err)).toMatch(/rollback_requests/);
    expect((logged!.err as { stack: string }).stack).toMatch(/\n\s+at /);
  });
});
