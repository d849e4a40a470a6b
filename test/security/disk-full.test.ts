/**
 * Issue 11.3 on a real full disk: the server runs with its data directory on a small tmpfs in a
 * private mount namespace (root only), the disk is filled, writes answer STORAGE_FULL and say
 * truthfully whether their commit landed, and once space is freed the running server (its repair
 * pass) brings the database back in line with Git — nothing lost, nothing half-written.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { demoTemplate } from '../kit/app';
import { copyDataDir, tempDir } from '../kit/template';
import { startServer, type RunningServer } from '../foundation/processes';

const canMount = process.getuid?.() === 0 && (() => {
  try {
    execFileSync('unshare', ['-m', 'true']);
    return true;
  } catch {
    return false;
  }
})();
// In CI these tests must run: a machine where they cannot is a broken CI machine, not a reason to skip.
const describeIfMountable = canMount || process.env.CI === 'true' ? describe : describe.skip;

const PRODUCTION = { project: 'shop', tenant: 'acme', environment: 'production' };
const STAGING = { project: 'shop', tenant: 'acme', environment: 'staging' };

describeIfMountable('a full disk under a running server', () => {
  let server: RunningServer | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it('STORAGE_FULL with the truth about the commit; after space is freed the history equals main and no request is left in flight', async () => {
    const template = await demoTemplate();
    const staged = copyDataDir(template.dataDir);
    const dataDir = tempDir('backtrack-tmpfs-');
    server = await startServer(
      { DATA_DIR: dataDir, TEMPLATE: staged, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_LEVEL: 'error', REPAIR_INTERVAL_MS: '300' },
      {
        tokens: false,
        wrap: (command, args) => [
          'unshare',
          ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=4m tmpfs "$DATA_DIR" && cp -a "$TEMPLATE"/. "$DATA_DIR"/ && exec "$0" "$@"', command, ...args],
        ],
      },
    );
    const inNamespace = (script: string) =>
      execFileSync('nsenter', ['-t', String(server!.child.pid), '-m', 'sh', '-c', script], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });
    const repo = `"$DATA_DIR"/repositories/shop.git`;
    const head = () => inNamespace(`git --git-dir ${repo} rev-parse main`).trim();
    const token = (role: string) => template.info.users.find((u) => u.role === role)!.token;
    const gql = async (role: string, query: string, variables: Record<string, unknown> = {}) => {
      const response = await fetch(server!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token(role)}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as { data?: Record<string, any>; errors?: Array<{ message: string; extensions: Record<string, unknown> }> };
    };
    const releaseQuery = `mutation($input: DeployReleaseInput!) { deployRelease(input: $input) { revision } }`;
    const release = (replicas: number) =>
      gql('DEPLOYER', releaseQuery, { input: { ...STAGING, services: [{ service: 'checkout', setFields: [{ file: 'values.yaml', path: 'replicas', value: replicas }] }] } });
    const history = async (where: Record<string, string>) =>
      ((await gql('DEPLOYER', `query($p: String!, $t: String!, $e: String!) { tenantEnvironment(project: $p, tenant: $t, environment: $e) { deployments(first: 100) { edges { node { revision } } } } }`, {
        p: where.project,
        t: where.tenant,
        e: where.environment,
      })).data!.tenantEnvironment.deployments.edges as Array<{ node: { revision: string } }>).map((e) => e.node.revision);

    // A pending production rollback, made while there is space.
    const previous = (await history(PRODUCTION))[1]!;
    const requested = await gql('DEPLOYER', `mutation($input: RequestRollbackInput!) { requestRollback(input: $input) { id state } }`, {
      input: { rollback: { ...PRODUCTION, mode: 'FIELD', service: 'api-gateway', targetSha: previous, fields: [{ path: 'image.tag' }] }, justification: 'bad tag' },
    });
    const requestId = requested.data!.requestRollback.id as string;

    inNamespace('dd if=/dev/zero of="$DATA_DIR"/filler bs=4k 2>/dev/null; true');
    const before = head();
    // Each release either succeeds, or fails with STORAGE_FULL saying whether its commit landed.
    const claims: Array<{ committed: boolean; revision?: string }> = [];
    for (const [replicas, room] of [[21, 0], [22, 8], [23, 12], [24, 16]] as const) {
      // A little room: perhaps enough for a commit's few objects but not for the database, perhaps for neither.
      if (room) inNamespace(`truncate -s -${room}K "$DATA_DIR"/filler`);
      const result = await release(replicas);
      if (!result.errors) {
        claims.push({ committed: true, revision: result.data!.deployRelease.revision });
        continue;
      }
      expect(result.errors[0]!.extensions, JSON.stringify(result)).toMatchObject({ code: 'STORAGE_FULL', status: 503 });
      const { committed, revision } = result.errors[0]!.extensions as { committed?: boolean; revision?: string };
      claims.push({ committed: committed === true, revision });
      expect(result.errors[0]!.message).toMatch(committed ? /landed on main, but recording it failed/ : /nothing was written|not committed/);
      inNamespace('dd if=/dev/zero of="$DATA_DIR"/filler bs=4k oflag=append conv=notrunc 2>/dev/null; true');
    }
    expect(claims[0]).toEqual({ committed: false, revision: undefined });
    const approval = await gql('APPROVER', `mutation($id: ID!) { reviewRollbackRequest(input: { id: $id, decision: APPROVE }) { state } }`, { id: requestId });
    expect(approval.errors?.[0]?.extensions?.code).toBe('STORAGE_FULL');
    // What the API said is what happened in Git.
    const landed = inNamespace(`git --git-dir ${repo} rev-list ${before}..main`).split('\n').filter(Boolean);
    expect(landed.sort()).toEqual(claims.filter((c) => c.committed).map((c) => c.revision!).sort());

    inNamespace('rm -f "$DATA_DIR"/filler');
    // The running server heals: every commit of main that changed staging is in its history, in order.
    const deadline = Date.now() + 15_000;
    let stagingHistory: string[] = [];
    let state = '';
    for (;;) {
      stagingHistory = await history(STAGING);
      state = (await gql('DEPLOYER', `query($id: ID!) { rollbackRequest(id: $id) { state } }`, { id: requestId })).data!.rollbackRequest.state;
      if (landed.every((sha) => stagingHistory.includes(sha)) && !['APPROVED', 'EXECUTING'].includes(state)) break;
      if (Date.now() > deadline) throw new Error(`not healed: ${JSON.stringify({ landed, stagingHistory, state })}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const mainStaging = inNamespace(`git --git-dir ${repo} log --format=%H main -- tenants/acme/staging`).split('\n').filter(Boolean);
    expect(stagingHistory).toEqual(mainStaging.slice(0, stagingHistory.length));
    expect(['PENDING', 'COMPLETED', 'FAILED']).toContain(state);
    inNamespace(`git --git-dir ${repo} fsck --no-progress`);

    // And writes work again.
    const after = await release(30);
    expect(after.errors).toBeUndefined();
  }, 90_000);
});
