/** `backtrack apply -f workspace.yaml`: validated whole with line numbers, applied idempotently, a second apply changes nothing. */
import fs from 'node:fs';
import path from 'node:path';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { applyWorkspace } from '../../src/domain/onboarding/apply';
import { OPERATOR } from '../../src/domain/onboarding/caller';
import { createToken } from '../../src/domain/onboarding/tokens';
import { parseWorkspaceFile, WorkspaceFileError } from '../../src/domain/onboarding/workspace-file';
import type { TestApp } from '../kit/app';
import { call, ok } from '../kit/client';
import { ProjectMembersDocument, WorkspaceOverviewDocument } from '../kit/documents/onboarding';
import { test } from '../kit/fixtures';
import { tempDir } from '../kit/template';
import { runCli, startServer } from '../foundation/processes';
import { goodSource, sourceRepository } from './sources';

const it = test.extend('empty', async ({ openApp }) => openApp({ seed: false }));

const WORKSPACE = `# The platform team's workspace
organizations:
  - slug: initech
    name: Initech
    plan: enterprise
    featureFlags: [basic_rollback, rollback, selective_rollback, rollback_approval]
    projects:
      - slug: tps
        name: TPS Reports
        environments:
          - slug: staging
          - slug: production
            approvalRequired: true
            quorum: 2
        tenants:
          - slug: acme
            name: Acme
            environments: [staging, production]
          - slug: globex
            environments: [production]
        agents:
          - name: prod-agent
            scopes: [acme/production, globex/production]
users:
  - email: Peter@Initech.example.com
    name: Peter Gibbons
    roles:
      tps: ADMIN
  - email: milton@initech.example.com
    name: Milton
    roles: { tps: viewer }
`;

async function apply(t: TestApp, text: string, options: { dryRun?: boolean } = {}) {
  return applyWorkspace(t.app.backend, OPERATOR, parseWorkspaceFile('workspace.yaml', text), options);
}

function problemsOf(text: string): string[] {
  try {
    parseWorkspaceFile('workspace.yaml', text);
  } catch (error) {
    expect(error).toBeInstanceOf(WorkspaceFileError);
    return (error as WorkspaceFileError).problems;
  }
  throw new Error('the file was accepted');
}

describe('apply', () => {
  it('creates everything the file declares; applied again it changes nothing; a dry run changes nothing either', async ({ empty: t }) => {
    const dry = await apply(t, WORKSPACE, { dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.changes).toContain('+ organization initech (ENTERPRISE, basic_rollback, rollback, selective_rollback, rollback_approval)');
    expect(await t.app.backend.stores.organizations.all()).toEqual([]);

    const first = await apply(t, WORKSPACE);
    expect(first.changes).toEqual([
      '+ organization initech (ENTERPRISE, basic_rollback, rollback, selective_rollback, rollback_approval)',
      '+ project tps (an empty repository)',
      '+ environment tps/staging (no approval required)',
      '+ environment tps/production (approval required, quorum 2)',
      '+ tenant tps/acme',
      '+ tenant-environment tps/acme/staging',
      '+ tenant-environment tps/acme/production',
      '+ tenant tps/globex',
      '+ tenant-environment tps/globex/production',
      '+ agent tps/prod-agent (acme/production, globex/production)',
      '+ user peter@initech.example.com (Peter Gibbons)',
      '+ peter@initech.example.com is ADMIN in tps',
      '+ user milton@initech.example.com (Milton)',
      '+ milton@initech.example.com is VIEWER in tps',
    ]);
    expect(dry.changes).toEqual(first.changes);
    expect(first.agentTokens).toEqual([{ project: 'tps', agent: 'prod-agent', token: expect.stringMatching(/^bta_/) }]);

    const again = await apply(t, WORKSPACE);
    expect(again.changes).toEqual([]);
    expect(again.agentTokens).toEqual([]);

    // What it made is what the API shows.
    const { token } = await createToken(t.app.backend, OPERATOR, { email: 'peter@initech.example.com' });
    const overview = ok(await call(t, { token }, WorkspaceOverviewDocument, { slug: 'tps' }));
    expect(overview.organizations).toEqual([{ slug: 'initech', plan: 'ENTERPRISE', featureFlags: expect.arrayContaining(['rollback_approval']), archivedAt: null }]);
    expect(overview.project!.environments.map((e) => e.approvalPolicy)).toEqual([
      { environment: 'production', approvalRequired: true, quorum: 2, blockSelfApproval: true },
      { environment: 'staging', approvalRequired: false, quorum: 1, blockSelfApproval: true },
    ]);
    expect(overview.project!.tenantEnvironments.map((te) => `${te.tenant}/${te.environment}`).sort()).toEqual(['acme/production', 'acme/staging', 'globex/production']);
    expect(ok(await call(t, { token }, ProjectMembersDocument, { slug: 'tps' })).project!.members.map((m) => `${m.user.email} ${m.role}`)).toEqual([
      'milton@initech.example.com VIEWER',
      'peter@initech.example.com ADMIN',
    ]);
    expect(fs.existsSync(path.join(t.config.repositoriesDir, 'tps.git', 'HEAD'))).toBe(true);
  });

  it('updates what changed in the file, archives and restores what it marks, and never removes what it leaves out', async ({ empty: t }) => {
    await apply(t, WORKSPACE);
    const changed = WORKSPACE.replace('plan: enterprise', 'plan: PRO')
      .replace('quorum: 2', 'quorum: 1\n            blockSelfApproval: false')
      .replace('roles: { tps: viewer }', 'roles: { tps: DEPLOYER }')
      .replace('scopes: [acme/production, globex/production]', 'scopes: [acme/production]')
      .replace("          - slug: globex\n", "          - slug: globex\n            archived: true\n")
      .replace(/  - email: Peter@[\s\S]*?tps: ADMIN\n/, '');
    const second = await apply(t, changed);
    expect(second.changes).toEqual([
      '~ organization initech: plan ENTERPRISE → PRO',
      '~ environment tps/production: quorum 2 → 1, blockSelfApproval true → false',
      '~ agent tps/prod-agent: scopes acme/production, globex/production → acme/production',
      '~ milton@initech.example.com in tps: VIEWER → DEPLOYER',
      '- tenant tps/globex: archived',
    ]);
    expect(await apply(t, changed)).toMatchObject({ changes: [] });
    // Peter left the file, not the workspace.
    expect(await t.app.backend.stores.users.byEmail('peter@initech.example.com')).not.toBeNull();
    const restored = await apply(t, changed.replace('archived: true', 'archived: false'));
    expect(restored.changes).toEqual(['~ tenant tps/globex: restored']);
  });

  it('imports a project with importFrom, checking the repository before the first change', async ({ empty: t }) => {
    const source = goodSource();
    const broken = sourceRepository();
    try {
      const file = (from: string) => `organizations:
  - slug: acme-corp
    plan: PRO
    featureFlags: [basic_rollback, rollback, rollback_approval]
    projects:
      - slug: platform
        importFrom: ${from}
        environments:
          - slug: staging
          - slug: production
            approvalRequired: true
        tenants:
          - slug: acme
            environments: [production, staging]
`;
      broken.commit({ 'services/api/values.yaml': 'replicas: 1\n' }, 'not our layout');
      const refused = await apply(t, file(broken.dir)).catch((e: unknown) => e as Error & { code: string });
      expect(refused).toMatchObject({ code: 'IMPORT_REFUSED', message: expect.stringMatching(/^workspace\.yaml:7:21: .* does not follow the repository layout/) });
      expect(await t.app.backend.stores.organizations.all()).toEqual([]);
      expect(fs.readdirSync(t.config.repositoriesDir)).toEqual([]);

      const imported = await apply(t, file(source.dir));
      // The tenants and environments its history holds exist once it is imported: only the policy is changed.
      expect(imported.changes).toEqual([
        '+ organization acme-corp (PRO, basic_rollback, rollback, rollback_approval)',
        `+ project platform imported from ${source.dir} (3 commits)`,
        '~ environment platform/production: approvalRequired false → true',
      ]);
      expect((await apply(t, file(source.dir))).changes).toEqual([]);
      const history = await t.app.backend.stores.deployments.page(
        (await t.app.backend.stores.tenantEnvironments.bySlugs({ project: 'platform', tenant: 'acme', environment: 'production' }))!.id,
        Number.MAX_SAFE_INTEGER,
        10,
      );
      expect(history.map((d) => d.source)).toEqual(['RELEASE', 'RELEASE']);
    } finally {
      source.remove();
      broken.remove();
    }
  });

  it('reports every problem of the file at its line, before changing anything', () => {
    const problems = problemsOf(`organizations:
  - slug: initech
    plan: platinum
    featureFlags: [rollback, time_travel]
    projects:
      - slug: TPS
        environments:
          - slug: production
            quorum: 0
        tenant:
          - slug: acme
users:
  - email: peter
    name: Peter
`);
    expect(problems).toEqual([
      'workspace.yaml:3:11: organizations[0].plan: must be one of FREE, PRO, ENTERPRISE',
      'workspace.yaml:4:30: organizations[0].featureFlags[1]: must be one of basic_rollback, rollback, selective_rollback, rollback_approval',
      'workspace.yaml:6:15: organizations[0].projects[0].slug: must be lowercase letters, digits and dashes (a DNS label)',
      'workspace.yaml:9:21: organizations[0].projects[0].environments[0].quorum: must be from 1 to 10',
      'workspace.yaml:10:9: organizations[0].projects[0]: unknown key tenant',
      'workspace.yaml:13:12: users[0].email: must be an email address',
    ]);
    expect(problemsOf('organizations:\n  - slug: a\n    plan: FREE\n  - slug: a\n    plan: FREE\n')).toEqual(['workspace.yaml:4:11: organizations[1].slug: organization a appears twice']);
    expect(
      problemsOf(`organizations:
  - slug: a
    plan: FREE
    projects:
      - slug: p
        environments: [{ slug: prod, approvalRequired: true }]
        tenants:
          - slug: t
            environments: [prod, qa]
        agents:
          - name: x
            scopes: [t/staging]
`),
    ).toEqual([
      'workspace.yaml:6:24: organizations[0].projects[0].environments[0]: an approval policy needs the rollback_approval feature flag, which organization a does not have',
      'workspace.yaml:9:34: organizations[0].projects[0].tenants[0].environments[1]: environment qa is not in this project\'s environments',
      'workspace.yaml:12:22: organizations[0].projects[0].agents[0].scopes[0]: t/staging is not a tenant-environment of this project (list it under the tenant\'s environments)',
    ]);
    expect(problemsOf('organizations: [\n')[0]).toMatch(/^workspace\.yaml:2:1: /);
    expect(problemsOf('users:\n  - email: a@b.c\n    name: A\n    name: B\n')[0]).toMatch(/^workspace\.yaml:4:5: Map keys must be unique/);
  });

  it('checks the file against the data before the first change: a project of another organization, a role in an unknown project', async ({ empty: t }) => {
    await apply(t, WORKSPACE);
    const before = await t.app.database.query('select (select count(*) from organizations) o, (select count(*) from users) u, (select count(*) from audit_events) a');
    const error = await apply(
      t,
      `organizations:
  - slug: hooli
    plan: FREE
    projects:
      - slug: tps
users:
  - email: gavin@hooli.example.com
    name: Gavin
    roles: { nucleus: ADMIN }
`,
    ).then(
      () => null,
      (e: unknown) => e as WorkspaceFileError,
    );
    expect(error).toBeInstanceOf(WorkspaceFileError);
    expect(error!.problems).toEqual([
      'workspace.yaml:5:15: project tps belongs to organization initech, not hooli',
      'workspace.yaml:9:23: project nucleus is neither in this file nor in the workspace',
    ]);
    expect(await t.app.database.query('select (select count(*) from organizations) o, (select count(*) from users) u, (select count(*) from audit_events) a')).toEqual(before);
  });
});

describe('apply with the CLI, against a running server', () => {
  const TIMEOUT = 240_000;
  let root: string;
  let dataDir: string;
  const env = () => ({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });

  beforeAll(() => {
    root = tempDir('backtrack-apply-cli-');
    dataDir = path.join(root, 'data');
    fs.writeFileSync(path.join(root, 'workspace.yaml'), WORKSPACE);
    fs.writeFileSync(path.join(root, 'broken.yaml'), 'organizations:\n  - slug: initech\n    plan: gold\n');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test(
    'a broken file changes nothing and names its lines; the file applies once, then says "no changes"',
    async () => {
      const file = path.join(root, 'workspace.yaml');
      const broken = await runCli(['--init', 'apply', '-f', path.join(root, 'broken.yaml')], env());
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain(`${path.join(root, 'broken.yaml')}:3:11: organizations[0].plan: must be one of FREE, PRO, ENTERPRISE`);
      expect(fs.existsSync(dataDir)).toBe(false);

      const applied = await runCli(['--init', 'apply', '-f', file], env());
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toContain('+ organization initech');
      expect(applied.stdout).toContain('14 changes made');
      expect(applied.stdout).toMatch(/Agent tokens \(shown once\):\n  tps\/prod-agent  bta_\S+/);
      expect(applied.stderr.trim()).toBe(`backtrack: data directory ${dataDir}`);

      const server = await startServer({ ...env(), PORT: '0', HOST: '127.0.0.1' }, { tokens: false });
      try {
        const again = await runCli(['apply', '-f', file], env());
        expect(again.code, again.stderr).toBe(0);
        expect(again.stdout).toBe('no changes: the workspace already matches workspace.yaml\n');

        const token = (await runCli(['token', 'create', '--email', 'peter@initech.example.com'], env())).stdout.trim();
        const response = await fetch(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: print(WorkspaceOverviewDocument), variables: { slug: 'tps' } }),
        });
        const body = (await response.json()) as { data: { project: { tenants: Array<{ slug: string }> } } };
        expect(body.data.project.tenants.map((x) => x.slug)).toEqual(['acme', 'globex']);
      } finally {
        expect((await server.stop()).code).toBe(0);
      }
    },
    TIMEOUT,
  );
});
