/**
 * Issue 11.6 and the weaker items: what one request may carry is bounded, refused with its own code,
 * and nothing is written: deep JSON, huge edits, texts that are too long or not valid Unicode, and
 * files with many (or duplicate) keys, which must not cost quadratic time.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../kit/app';
import { expectError, ok } from '../kit/client';
import { OpenBreakGlassDocument } from '../kit/documents/governance';
import { DeployReleaseDocument } from '../kit/documents/history';
import { AddNoteDocument, RequestRollbackDocument } from '../kit/documents/rollbacks';
import { git } from '../kit/git-cli';
import { STAGING, stagingTagTarget, tagRollback } from '../requests/helpers';

let t: TestApp;
let head: string;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());
beforeEach(() => {
  head = git(t.repoDir, ['rev-parse', 'main']);
});
const nothingWritten = () => expect(git(t.repoDir, ['rev-parse', 'main'])).toBe(head);

const post = async (body: string) => {
  const response = await t.app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token('DEPLOYER')}` },
    body,
  });
  return (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions: Record<string, unknown> }> };
};
const setReplicas = (value: unknown) => ({ input: { ...STAGING, services: [{ service: 'checkout', setFields: [{ file: 'values.yaml', path: 'replicas', value }] }] } });
const replaceValues = (content: string) => ({ input: { ...STAGING, services: [{ service: 'checkout', replaceFiles: [{ file: 'values.yaml', content }] }] } });

describe('JSON values', () => {
  it('a JSON variable nested 5,000 levels deep is VALUE_TOO_DEEP, not a server error', async () => {
    const deep = `${'{"a":'.repeat(5000)}"x"${'}'.repeat(5000)}`;
    const query = 'mutation($v: JSON!) { deployRelease(input: { project: "shop", tenant: "acme", environment: "staging", services: [{ service: "checkout", setFields: [{ path: "replicas", value: $v }] }] }) { revision } }';
    const result = await post(`{"query": ${JSON.stringify(query)}, "variables": {"v": ${deep}}}`);
    expect(result.errors?.[0]?.extensions, JSON.stringify(result).slice(0, 500)).toMatchObject({ code: 'VALUE_TOO_DEEP', status: 400 });
    nothingWritten();
  });

  it('a field value with 10,000 keys is EDIT_TOO_LARGE', async () => {
    const value = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    expectError(await t.gql('DEPLOYER', DeployReleaseDocument, setReplicas(value)), { code: 'EDIT_TOO_LARGE', status: 400, message: /too large for one edit/ });
    nothingWritten();
  });

  it('a field value nested 40 levels deep is EDIT_TOO_LARGE', async () => {
    let value: unknown = 1;
    for (let i = 0; i < 40; i++) value = { a: value };
    expectError(await t.gql('DEPLOYER', DeployReleaseDocument, setReplicas(value)), { code: 'EDIT_TOO_LARGE', status: 400 });
    nothingWritten();
  });
});

describe('texts', () => {
  it('a lone surrogate in file content is refused, not committed as U+FFFD', async () => {
    const error = expectError(await t.gql('DEPLOYER', DeployReleaseDocument, replaceValues('image:\n  tag: "v\uD800"\nreplicas: 1\n')), { code: 'INVALID_TEXT', status: 400 });
    expect(error.message).toMatch(/unpaired surrogate/);
    expectError(await t.gql('DEPLOYER', DeployReleaseDocument, setReplicas('\uDC00')), { code: 'INVALID_TEXT', status: 400 });
    nothingWritten();
  });

  it('a 900 KB justification, a long note, description or break-glass justification: TEXT_TOO_LONG', async () => {
    expectError(await t.gql('DEPLOYER', RequestRollbackDocument, tagRollback(await stagingTagTarget(t), STAGING, 'x'.repeat(900_000))), {
      code: 'TEXT_TOO_LONG',
      status: 400,
      message: /the justification may be at most 2000 characters/,
    });
    expectError(await t.gql('DEPLOYER', DeployReleaseDocument, { input: { ...setReplicas(6).input, description: 'd'.repeat(2001) } }), { code: 'TEXT_TOO_LONG', status: 400 });
    expectError(await t.gql('DEPLOYER', OpenBreakGlassDocument, { input: { project: 'shop', justification: 'j'.repeat(2001) } }), { code: 'TEXT_TOO_LONG', status: 400 });
    nothingWritten();
    const done = ok(await t.gql('DEPLOYER', RequestRollbackDocument, tagRollback(await stagingTagTarget(t), STAGING))).requestRollback;
    expectError(await t.gql('DEPLOYER', AddNoteDocument, { id: done.id, note: 'n'.repeat(10_001) }), { code: 'TEXT_TOO_LONG', status: 400 });
    expect(ok(await t.gql('DEPLOYER', AddNoteDocument, { id: done.id, note: 'n'.repeat(10_000) })).addRollbackNote.id).toBe(done.id);
  });

  it('a justification with a lone surrogate: INVALID_TEXT', async () => {
    expectError(await t.gql('DEPLOYER', RequestRollbackDocument, tagRollback(await stagingTagTarget(t), STAGING, 'bad \uD83D tag')), { code: 'INVALID_TEXT', status: 400 });
    nothingWritten();
  });
});

describe('files with many keys', () => {
  it('a file larger than an edit may be is EDIT_TOO_LARGE', async () => {
    expectError(await t.gql('DEPLOYER', DeployReleaseDocument, replaceValues(`${'# padding\n'.repeat(60_000)}replicas: 1\n`)), { code: 'EDIT_TOO_LARGE', status: 400 });
    nothingWritten();
  });

  it('20,000 keys with one duplicate: refused as invalid YAML (duplicate keys are found in one pass)', async () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `  K${i}: "${i}"`);
    const content = `image:\n  repository: shop/checkout\n  tag: v1\nreplicas: 2\nenv:\n${keys.join('\n')}\n  K0: "again"\n`;
    const error = expectError(await t.gql('DEPLOYER', DeployReleaseDocument, replaceValues(content)), { code: 'INVALID_YAML', status: 400 });
    expect(error.message).toMatch(/Map keys must be unique \("K0" again at line 20006\)/);
    nothingWritten();
  });

  it('20,000 distinct keys are accepted', async () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `  K${i}: "${i}"`);
    const content = `image:\n  repository: shop/checkout\n  tag: v1\nreplicas: 2\nenv:\n${keys.join('\n')}\n`;
    const release = ok(await t.gql('DEPLOYER', DeployReleaseDocument, replaceValues(content))).deployRelease;
    expect(git(t.repoDir, ['rev-parse', 'main'])).toBe(release.revision);
  });
});
