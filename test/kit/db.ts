/** Looking into (and breaking) a test app's database directly, for assertions that the API cannot make. */
import type { AuditEvent } from '../../src/domain/model';
import type { TestApp } from './app';

export async function countRows(t: TestApp, table: string): Promise<number> {
  const [row] = await t.app.database.query(`select count(*) as n from ${table}`);
  return Number(row!.n);
}

/** Every audit event of the project, oldest first. */
export async function allAuditEvents(t: TestApp, projectId: string): Promise<AuditEvent[]> {
  return (await t.app.backend.stores.audit.list(projectId, {}, { limit: 1_000_000, beforeId: null })).reverse();
}

/**
 * A fault injected into the database itself: statements matching `when` on `table` fail inside the
 * domain's transaction, as a full disk or a broken constraint would make them fail.
 */
export async function failWhen(t: TestApp, name: string, table: string, event: 'INSERT' | 'UPDATE', when: string): Promise<void> {
  await t.app.database.query(`CREATE TRIGGER ${name} BEFORE ${event} ON ${table} FOR EACH ROW WHEN ${when} BEGIN SELECT RAISE(ABORT, 'injected fault'); END`);
}

export async function heal(t: TestApp, name: string): Promise<void> {
  await t.app.database.query(`DROP TRIGGER ${name}`);
}
