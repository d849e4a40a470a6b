/**
 * Crash recovery with real processes: a server is SIGKILLed while a rollback is EXECUTING
 * (paused by FAULT_PAUSE_AT just before or just after the rollback commit), restarted without
 * the fault, and the database, the Git repository and the request must agree.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { RetryDocument, RollbackRequestDocument } from '../kit/documents/rollbacks';
import { bodyOf, killAllSpawned, postUrl, spawnServer, tempDir, waitFor, type ServerProcess } from './helpers';
import { mainHead, requestRows, requestStagingRollback, rollbackCommits, stagingTagTarget, type RequestRow } from './recovery';

const dataDirs: string[] = [];
afterAll(async () => {
  await killAllSpawned();
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

interface RequestView {
  id: string;
  state: string;
  attempts: number;
  error: string | null;
  errorCode: string | null;
  resultRevision: string | null;
}

async function requestOverApi(server: ServerProcess, id: string): Promise<RequestView> {
  const response = await postUrl(server.url, server.token('DEPLOYER'), bodyOf(RollbackRequestDocument, { id }));
  expect(response.body.errors, response.text).toBeUndefined();
  return (response.body.data as { rollbackRequest: RequestView }).rollbackRequest;
}

/** Starts a faulty server, requests a staging rollback (not awaited) and waits until it is EXECUTING. */
async function startExecutionAndPause(point: 'before-rollback-commit' | 'after-rollback-commit') {
  const dataDir = tempDir(`backtrack-crash-${point}-`);
  dataDirs.push(dataDir);
  const server = await spawnServer(dataDir, { FAULT_PAUSE_AT: point, FAULT_PAUSE_MS: '20000' });
  const headBefore = mainHead(dataDir);
  const target = await stagingTagTarget(server.url, server.token('DEPLOYER'));
  // The response never comes: the process dies first.
  const inFlight = requestStagingRollback(server.url, server.token('DEPLOYER'), target).catch((error: Error) => error);
  const executing = await waitFor('a request EXECUTING in the database', () => requestRows(dataDir).find((r) => r.state === 'EXECUTING'));
  return { dataDir, server, headBefore, target, inFlight, executing };
}

describe('SIGKILL before the rollback commit', () => {
  it('restart marks the request FAILED (retryable, EXECUTION_INTERRUPTED), no commit on main; retry completes it', async () => {
    const { dataDir, server, headBefore, inFlight, executing } = await startExecutionAndPause('before-rollback-commit');
    expect(rollbackCommits(dataDir, executing.id)).toEqual([]);

    await server.kill();
    expect(await inFlight).toBeInstanceOf(Error);
    // The crash left it EXECUTING.
    expect(requestRows(dataDir).find((r) => r.id === executing.id)!.state).toBe('EXECUTING');

    const restarted = await spawnServer(dataDir);
    const rows = requestRows(dataDir);
    expect(rows.filter((r) => r.state === 'EXECUTING'), 'nothing is left EXECUTING after a start').toEqual([]);
    const row = rows.find((r) => r.id === executing.id)!;
    expect(row).toMatchObject<Partial<RequestRow>>({ state: 'FAILED', error_code: 'EXECUTION_INTERRUPTED', result_sha: null });
    expect(row.error).toMatch(/interrupted by a server restart.*retry/);
    expect(rollbackCommits(dataDir, executing.id), 'no rollback commit on main').toEqual([]);
    expect(mainHead(dataDir)).toBe(headBefore);

    const viaApi = await requestOverApi(restarted, executing.id);
    expect(viaApi).toMatchObject({ state: 'FAILED', errorCode: 'EXECUTION_INTERRUPTED', resultRevision: null });
    // The reconciliation is in the server log.
    expect(restarted.logLines().some((line) => line.msg === 'reconciled a rollback interrupted by a restart' && line.id === executing.id)).toBe(true);

    const retried = await postUrl(restarted.url, restarted.token('DEPLOYER'), bodyOf(RetryDocument, { id: executing.id }));
    expect(retried.body.errors, retried.text).toBeUndefined();
    const completed = (retried.body.data as { retryRollbackExecution: RequestView }).retryRollbackExecution;
    expect(completed).toMatchObject({ state: 'COMPLETED', errorCode: null, error: null });
    expect(completed.attempts).toBe(2);
    expect(rollbackCommits(dataDir, executing.id)).toEqual([completed.resultRevision]);
    expect(mainHead(dataDir)).toBe(completed.resultRevision);
    expect(requestRows(dataDir).find((r) => r.id === executing.id)).toMatchObject({ state: 'COMPLETED', result_sha: completed.resultRevision });

    await restarted.kill();
  }, 180_000);
});

describe('SIGKILL after the rollback commit', () => {
  it('restart marks the request COMPLETED with the commit found on main', async () => {
    const { dataDir, server, headBefore, inFlight, executing } = await startExecutionAndPause('after-rollback-commit');
    const [commit] = await waitFor('the rollback commit on main (git CLI)', () => {
      const found = rollbackCommits(dataDir, executing.id);
      return found.length > 0 ? found : undefined;
    });
    expect(mainHead(dataDir)).toBe(commit);
    expect(commit).not.toBe(headBefore);

    await server.kill();
    expect(await inFlight).toBeInstanceOf(Error);
    expect(requestRows(dataDir).find((r) => r.id === executing.id)!.state).toBe('EXECUTING');

    const restarted = await spawnServer(dataDir);
    const rows = requestRows(dataDir);
    expect(rows.filter((r) => r.state === 'EXECUTING'), 'nothing is left EXECUTING after a start').toEqual([]);
    expect(rows.find((r) => r.id === executing.id)).toMatchObject<Partial<RequestRow>>({ state: 'COMPLETED', result_sha: commit!, error_code: null });
    // Exactly one rollback commit: the restart did not write another.
    expect(rollbackCommits(dataDir, executing.id)).toEqual([commit]);
    expect(mainHead(dataDir)).toBe(commit);

    const viaApi = await requestOverApi(restarted, executing.id);
    expect(viaApi).toMatchObject({ state: 'COMPLETED', resultRevision: commit, errorCode: null });

    await restarted.kill();
  }, 180_000);
});
