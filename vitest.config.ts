import { createRequire } from 'node:module';
import os from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Tests that run on the sqlite project only, each for a reason the README lists ("Tests on both
 * databases"): they test SQLite files, raw SQLite SQL, or processes whose database is a file of the
 * data directory.
 */
export const SQLITE_ONLY = [
  // Spawned servers and CLIs on a data directory (its SQLite file); test/multi-instance spawns them on PostgreSQL.
  'test/foundation/config.test.ts',
  'test/hardening/observability.test.ts',
  'test/incident/incident.test.ts',
  'test/notifications/configure.test.ts',
  'test/notifications/restart.test.ts',
  'test/onboarding/apply.test.ts',
  'test/onboarding/import.test.ts',
  'test/onboarding/production.test.ts',
  // SQLite files, pragmas and statements by hand.
  'test/foundation/database.test.ts',
  'test/foundation/data-directory.test.ts',
  'test/foundation/server-start.test.ts',
  'test/foundation/cli.test.ts',
  'test/onboarding/cli.test.ts',
  'test/oncall/cli.test.ts',
  'test/security/storage-full.test.ts',
  'test/security/disk-full.test.ts',
  'test/security/seed-interrupted.test.ts',
  'test/stores/prepared-reads.test.ts',
  'test/hardening/masking.test.ts',
  'test/hardening/shutdown.test.ts',
  'test/hardening/crash-recovery.test.ts',
];

/** Tests that do not touch a database at all (pure functions, the schema, static checks): once is enough. */
export const NO_DATABASE = ['test/unit/**', 'test/yaml/**', 'test/architecture/**', 'test/schema/error-codes.test.ts', 'test/stores/schema-parity.test.ts'];

/** Several server processes on one PostgreSQL and one Redis. */
export const POSTGRES_ONLY = ['test/multi-instance/**'];

export default defineConfig({
  resolve: {
    // One graphql for everyone: yoga and Pothos load its CommonJS build under Node, so our code must too
    // (two copies break instanceof checks and schema printing).
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  test: {
    globalSetup: ['test/kit/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most tests wait on Git, the database and child processes rather than the CPU: two workers on two cores.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? Math.max(2, os.availableParallelism())),
    projects: [
      {
        extends: true,
        test: { name: 'sqlite', include: ['test/**/*.test.ts'], exclude: POSTGRES_ONLY, env: { BACKTRACK_TEST_DIALECT: 'sqlite' } },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['test/**/*.test.ts'],
          exclude: [...SQLITE_ONLY, ...NO_DATABASE],
          env: { BACKTRACK_TEST_DIALECT: 'postgres' },
        },
      },
    ],
  },
});
