/** The admin CLI from an empty machine to a team's project, run against a spawned server on the same data directory. */
import fs from 'node:fs';
import path from 'node:path';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeployReleaseDocument } from '../kit/documents/history';
import { RequestReleaseDocument } from '../kit/documents/approvals';
import { WorkspaceOverviewDocument } from '../kit/documents/onboarding';
import { TenantEnvironmentDocument, ViewerDocument } from '../kit/documents/workspace';
import { git } from '../kit/git-cli';
import { tempDir } from '../kit/template';
import { ROOT, runCli, startServer, type RunningServer } from '../foundation/processes';

const TIMEOUT = 300_000;

describe('the admin CLI against a running server', () => {
  let root: string;
  let dataDir: string;
  let server: RunningServer | null = null;
  const env = () => ({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const cli = async (...args: string[]) => {
    const result = await runCli(args, env());
    expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
    return result;
  };

  async function gql<R, V>(token: string, document: TypedDocumentNode<R, V>, variables?: V) {
    const response = await fetch(server!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
    });
    return (await response.json()) as { data?: R; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  }

  beforeAll(() => {
    root = tempDir('backtrack-onboarding-cli-');
    dataDir = path.join(root, 'data');
  });
  afterAll(async () => {
    if (server) await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it(
    'refuses to create a database unless --init, then names the data directory it used',
    async () => {
      const refused = await runCli(['organization', 'create', '--slug', 'acme-corp'], env());
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        `backtrack: there is no database in the data directory ${dataDir} (${path.join(dataDir, 'backtrack.sqlite')}); ` +
          'set DATA_DIR (or --data-dir) to your data directory, or pass --init to create a new one there\n',
      );
      expect(fs.existsSync(dataDir)).toBe(false);

      // --data-dir names it as well as DATA_DIR does.
      const created = await runCli(
        ['--init', '--data-dir', dataDir, 'organization', 'create', '--slug', 'acme-corp', '--plan', 'enterprise', '--flag', 'rollback', '--flag', 'basic_rollback', '--flag', 'rollback_approval'],
        { LOG_LEVEL: 'silent', DATA_DIR: path.join(root, 'elsewhere') },
      );
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toBe('organization acme-corp created (ENTERPRISE, rollback, basic_rollback, rollback_approval)\n');
      expect(created.stderr).toBe(`backtrack: data directory ${dataDir}\n`);
      expect(fs.existsSync(path.join(root, 'elsewhere'))).toBe(false);
    },
    TIMEOUT,
  );

  it(
    'onboards a project step by step while the server runs: user, project with its ADMIN, tenant, environment, tenant-environment, service, token',
    async () => {
      server = await startServer({ ...env(), PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false' }, { tokens: false });
      await cli('user', 'create', '--email', 'ops@acme.example.com', '--name', 'Olivia Ops');
      const project = await cli('project', 'create', '--project', 'shop', '--name', 'Shop', '--admin', 'ops@acme.example.com');
      expect(project.stdout).toBe(`project shop created with an empty repository at ${path.join(dataDir, 'repositories', 'shop.git')}\nops@acme.example.com is ADMIN in shop\n`);
      await cli('tenant', 'create', '--project', 'shop', '--tenant', 'acme', '--name', 'Acme');
      await cli('environment', 'create', '--project', 'shop', '--environment', 'production', '--approval-required', '--quorum', '1');
      await cli('te', 'create', '--project', 'shop', '--tenant', 'acme', '--environment', 'production');
      const service = await cli('service', 'create', '--project', 'shop', '--tenant', 'acme', '--environment', 'production', '--service', 'api', '--image', 'registry.acme.example.com/api:v1.0.0', '--replicas', '2');
      const sha = /commit ([0-9a-f]{40})/.exec(service.stdout)![1]!;
      expect(git(path.join(dataDir, 'repositories', 'shop.git'), ['log', '-1', '--format=%an <%ae>%n%s', sha])).toBe('Backtrack admin CLI <admin-cli@backtrack.invalid>\nRelease: tenant/acme env/production');

      const issued = await cli('token', 'create', '--email', 'ops@acme.example.com', '--name', 'laptop', '--expires-in', '30d');
      const token = issued.stdout.trim();
      expect(token).toMatch(/^btu_[A-Za-z0-9_-]{40,}$/);
      expect(issued.stderr).toMatch(/^backtrack: token "laptop" of ops@acme\.example\.com \(tok-\w+\) expires \d{4}-/);

      const overview = await gql(token, WorkspaceOverviewDocument, { slug: 'shop' });
      expect(overview.errors).toBeUndefined();
      expect(overview.data!.project).toMatchObject({
        name: 'Shop',
        tenants: [{ slug: 'acme', name: 'Acme' }],
        environments: [{ slug: 'production', approvalPolicy: { approvalRequired: true, quorum: 1, blockSelfApproval: true } }],
        tenantEnvironments: [{ tenant: 'acme', environment: 'production', services: ['api'], archivedAt: null }],
      });
      const history = await gql(token, TenantEnvironmentDocument, { project: 'shop', tenant: 'acme', environment: 'production' });
      expect(history.data!.tenantEnvironment!.deployments.edges.map((e) => [e.node.revision, e.node.source])).toEqual([[sha, 'RELEASE']]);

      const listed = await cli('service', 'list', '--project', 'shop', '--tenant', 'acme', '--environment', 'production');
      expect(listed.stdout).toBe('SERVICE  ARCHIVED\napi      -\n');
    },
    TIMEOUT,
  );

  it(
    'archives and restores from the CLI while the server refuses writes in between; the last ADMIN stays',
    async () => {
      const token = (await cli('token', 'create', '--email', 'ops@acme.example.com')).stdout.trim();
      const where = { project: 'shop', tenant: 'acme', environment: 'production' };
      const release = () => gql(token, DeployReleaseDocument, { input: { ...where, services: [{ service: 'api', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v1.0.1' }] }] } });
      await cli('te', 'archive', '--project', 'shop', '--tenant', 'acme', '--environment', 'production');
      expect((await release()).errors?.[0]?.extensions?.code).toBe('ARCHIVED');
      const archivedList = await cli('te', 'list', '--project', 'shop', '--archived');
      expect(archivedList.stdout).toMatch(/^acme\/production\s+tenants\/acme\/production\s+\d{4}-/m);
      await cli('te', 'archive', '--project', 'shop', '--tenant', 'acme', '--environment', 'production', '--restore');
      // Restored, the write is accepted again: production requires approval, so the release waits as a request.
      const requested = await gql(token, RequestReleaseDocument, { input: { ...where, services: [{ service: 'api', setFields: [{ file: 'values.yaml', path: 'image.tag', value: 'v1.0.1' }] }] } });
      expect(requested.errors).toBeUndefined();
      expect(requested.data?.requestRelease.state).toBe('PENDING');

      const lastAdmin = await runCli(['user', 'remove', '--email', 'ops@acme.example.com', '--project', 'shop'], env());
      expect(lastAdmin.code).toBe(1);
      expect(lastAdmin.stderr.split('\n')[0]).toBe('backtrack: this would leave project shop without an ADMIN; make someone else ADMIN first');
    },
    TIMEOUT,
  );

  it(
    'a token with --expires-in stops working once it expires (TOKEN_EXPIRED), token list says so, and one token is revoked by id',
    async () => {
      const shortLived = (await cli('token', 'create', '--email', 'ops@acme.example.com', '--name', 'short', '--expires-in', '3s')).stdout.trim();
      const issuedAt = Date.now();
      expect((await gql(shortLived, ViewerDocument)).data?.viewer.email).toBe('ops@acme.example.com');
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, issuedAt + 3_500 - Date.now())));
      const expired = await gql(shortLived, ViewerDocument);
      expect(expired.errors?.[0]?.extensions?.code).toBe('TOKEN_EXPIRED');

      const list = await cli('token', 'list', '--email', 'ops@acme.example.com');
      const rows = list.stdout.trim().split('\n');
      expect(rows[0]).toMatch(/^ID\s+NAME\s+CREATED\s+EXPIRES\s+STATUS$/);
      const short = rows.find((row) => /\sshort\s/.test(row))!;
      expect(short).toMatch(/\sexpired$/);
      const laptop = rows.find((row) => /\slaptop\s/.test(row))!;
      expect(laptop).toMatch(/\sactive$/);
      const id = laptop.split(/\s+/)[0]!;
      expect((await cli('token', 'revoke', '--id', id)).stdout).toBe(`token ${id} revoked\n`);
      expect((await cli('token', 'list', '--email', 'ops@acme.example.com')).stdout).toMatch(new RegExp(`^${id}\\s.*\\srevoked$`, 'm'));
    },
    TIMEOUT,
  );

  it(
    'has per-command help, a version and suggestions for mistyped commands and options, touching no data',
    async () => {
      const help = await runCli(['tenant', 'create', '--help'], env());
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: backtrack tenant create \[options\]/);
      expect(help.stdout).toContain('--tenant <slug>');
      const version = await runCli(['--version'], env());
      expect(version.stdout.trim()).toBe((JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
      const typo = await runCli(['tennant', 'list'], env());
      expect(typo.code).toBe(1);
      expect(typo.stderr).toBe('backtrack: unknown command "tennant"\n(Did you mean tenant?)\n');
      const option = await runCli(['service', 'list', '--projet', 'shop'], env());
      expect(option.code).toBe(1);
      expect(option.stderr).toMatch(/unknown option '--projet'\n\(Did you mean --project\?\)/);
    },
    TIMEOUT,
  );
});
