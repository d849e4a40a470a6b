/** The store contract against every implementation: in memory and the SQLite adapter. */
import path from 'node:path';
import fs from 'node:fs';
import { openSqlite } from '../../src/db/sqlite/client';
import { createMemoryDatabase } from '../kit/memory-stores';
import { storeContract } from '../kit/store-contract';
import { tempDir } from '../kit/template';

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
