/**
 * Writes schema/schema.graphql from the Pothos schema, and the README's error-code tables from the
 * same list as the ErrorCode enum (tests fail when either committed file is stale).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSchemaFile, withErrorCodeTables } from '../src/graphql/print';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schemaFile = path.join(root, 'schema/schema.graphql');
fs.writeFileSync(schemaFile, printSchemaFile());
const readme = path.join(root, 'README.md');
fs.writeFileSync(readme, withErrorCodeTables(fs.readFileSync(readme, 'utf8')));
process.stdout.write(`wrote ${path.relative(process.cwd(), schemaFile)} and the error tables of ${path.relative(process.cwd(), readme)}\n`);
