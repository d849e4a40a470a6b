/** Writes schema/schema.graphql from the Pothos schema (a test fails when the committed file is stale). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSchemaFile } from '../src/graphql/print';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../schema/schema.graphql');
fs.writeFileSync(file, printSchemaFile());
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
