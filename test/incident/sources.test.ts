/**
 * The incident screen's sources: web/gql is what `npm run codegen` writes from the page's
 * documents and the committed schema (run it and commit when this fails), and web/ type-checks
 * against those types (esbuild strips types without checking them; the root tsconfig has no DOM).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TARGET = 'web/gql/';

describe('the incident screen sources', () => {
  it('web/gql is up to date with web/src and schema/schema.graphql', { timeout: 60_000 }, async () => {
    const generated = (await generate({ ...config, cwd: ROOT, silent: true, generates: { [TARGET]: config.generates[TARGET]! } }, false)) as Array<{
      filename: string;
      content: string;
    }>;
    expect(generated.map((file) => path.relative(ROOT, path.resolve(ROOT, file.filename))).sort()).toEqual(['web/gql/gql.ts', 'web/gql/graphql.ts', 'web/gql/index.ts']);
    for (const file of generated) expect(fs.readFileSync(path.resolve(ROOT, file.filename), 'utf8'), file.filename).toBe(file.content);
  });

  it('web/ type-checks (tsc -p web)', { timeout: 90_000 }, async () => {
    const result = await promisify(execFile)(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'web/tsconfig.json'], { cwd: ROOT }).catch((error: { stdout: string; code: number }) => error);
    expect('code' in result ? result.stdout : '').toBe('');
  });
});
