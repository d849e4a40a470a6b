/** The store contract against every implementation: in memory and SQLite (sqlite project), PostgreSQL (postgres project). */
import path from 'node:path';
import fs from 'node:fs';
import { openPostgres } from '../../src/db/pg/client';
import { openSqlite } from '../../src/db/sqlite/client';
import { createDatabaseFor, databaseUrlOf, dropDatabaseFor, testDialect } from '../kit/dialect';
import { createMemoryDatabase } from '../kit/memory-stores';
import { storeContract } from '../kit/store-contract';
import { tempDir } from '../kit/template';

if (testDialect() === 'postgres') {
  storeContract('PostgreSQL', async () => {
    const dir = tempDir('backtrack-stores-');
    await createDatabaseFor(dir);
    const database = openPostgres(databaseUrlOf(dir));
    await database.ready;
    return {
      stores: database.stores,
      run: database.run,
      close: async () => {
        await database.close();
        await dropDatabaseFor(dir);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  });
} else {
  storeContract('in memory', async () => ({ ...createMemoryDatabase(), close: async () => undefined }));

  storeContract('SQLite', async () => {
    const dir = tempDir('backtrack-stores-');
    const database = openSqlite(path.join(dir, 'backtrack.sqlite'));
    return {
      stores: database.stores,
      run: database.run,
      close: async () => {
        await database.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}
