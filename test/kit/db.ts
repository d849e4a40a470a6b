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
  if (t.app.database.dialect === 'postgres') {
    await t.app.database.query(`CREATE FUNCTION ${name}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$ LANGUAGE plpgsql`);
    // SQLite's WHEN takes a number for true; PostgreSQL's only a boolean.
    const condition = /^\d+$/.test(when.trim()) ? (Number(when) ? 'true' : 'false') : when;
    await t.app.database.query(`CREATE TRIGGER ${name} BEFORE ${event} ON ${table} FOR EACH ROW WHEN (${condition}) EXECUTE FUNCTION ${name}()`);
    return;
  }
  await t.app.database.query(`CREATE TRIGGER ${name} BEFORE ${event} ON ${table} FOR EACH ROW WHEN ${when} BEGIN SELECT RAISE(ABORT, 'injected fault'); END`);
}

export async function heal(t: TestApp, name: string): Promise<void> {
  await t.app.database.query(t.app.database.dialect === 'postgres' ? `DROP FUNCTION ${name}() CASCADE` : `DROP TRIGGER ${name}`);
}

/**
 * Makes the SQLite database full, deterministically: it may not grow (`PRAGMA max_page_count`), and
 * the audit trail — which every recording writes to — is filled with small rows until no page has
 * room for another event.
 */
export async function fillDatabase(t: TestApp): Promise<void> {
  const [{ page_count: pages }] = (await t.app.database.query('pragma page_count')) as Array<{ page_count: number }>;
  await t.app.database.query(`pragma max_page_count = ${pages}`);
  for (let i = 0; i < 200_000; i++) {
    try {
      await t.app.database.query("insert into audit_events (action, target_type, target_id, details, created_at) values ('filler', 'Filler', 'x', '{}', 0)");
    } catch (error) {
      if (/full/i.test(String((error as Error).message))) return;
      throw error;
    }
  }
  throw new Error('the database did not fill up');
}

/** Frees what fillDatabase took. */
export async function freeDatabase(t: TestApp): Promise<void> {
  await t.app.database.query('pragma max_page_count = 1073741823');
  await t.app.database.query("delete from audit_events where action = 'filler'");
}
