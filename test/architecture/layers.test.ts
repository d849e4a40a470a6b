/** The layers as DESIGN decided them, checked on the real import graph (type imports count too). */
import { describe, expect, it } from 'vitest';
import { importCircles, readImportGraph } from './import-graph';

const graph = readImportGraph();
const domainFiles = [...graph.edges.keys()].filter((file) => file.startsWith('domain/'));

/** Database drivers and query builders, and the GraphQL stack: none of them belongs in the domain. */
const FORBIDDEN_IN_DOMAIN = /^(drizzle-orm|drizzle-kit|better-sqlite3|pg|pg-.*|postgres|ioredis|redis|@libsql\/.*|graphql|graphql-.*|@graphql-.*|@pothos\/.*|@envelop\/.*|nodegit)$/;

describe('the domain layer', () => {
  it('has files to check', () => {
    expect(domainFiles.length).toBeGreaterThan(20);
  });

  it('imports nothing under src/db, src/graphql, src/server or src/events', () => {
    const offending = domainFiles.flatMap((file) =>
      [...graph.edges.get(file)!].filter((target) => /^(db|graphql|server|events)\//.test(target)).map((target) => `${file} → ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('imports no database driver, query builder or GraphQL package (type imports included)', () => {
    const offending = domainFiles.flatMap((file) => [...graph.packages.get(file)!].filter((name) => FORBIDDEN_IN_DOMAIN.test(name)).map((name) => `${file} → ${name}`));
    expect(offending).toEqual([]);
  });
});

describe('import circles', () => {
  it('exist only among the GraphQL type modules (which reference each other as the schema does)', () => {
    const circles = importCircles(graph.edges).filter((circle) => !circle.every((file) => file.startsWith('graphql/types/')));
    expect(circles).toEqual([]);
  });
});
