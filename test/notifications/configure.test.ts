/** Targets from the admin CLI and the workspace file: checked before anything changes, idempotent, secrets never printed. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoTemplate, openTestApp } from '../kit/app';
import { copyDataDir } from '../kit/template';
import { runCli } from '../foundation/processes';
import { data, gql, startReceiver, type Receiver } from './helpers';

const dirs: string[] = [];
const receivers: Receiver[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

function workspaceFile(dataDir: string, notifications: string): string {
  const file = path.join(dataDir, 'workspace.yaml');
  fs.writeFileSync(
    file,
    `organizations:
  - slug: acme-corp
    plan: ENTERPRISE
    featureFlags: [basic_rollback, rollback, selective_rollback, rollback_approval]
    projects:
      - slug: shop
        environments:
          - slug: production
        tenants:
          - slug: acme
            environments: [production]
        notifications:
${notifications}`,
  );
  return file;
}

describe('notification targets from the workspace file and the CLI', () => {
  it('apply creates them once, refuses bad ones with their line before any change, and the CLI lists them without secrets', async () => {
    const template = await demoTemplate();
    const dataDir = copyDataDir(template.dataDir);
    dirs.push(dataDir);
    const receiver = await startReceiver();
    receivers.push(receiver);
    const secret = 'apply-secret-7c1e';
    const env = { DATA_DIR: dataDir, NOTIFY_ALLOWED_NETWORKS: '127.0.0.1', ONCALL_SECRET: secret };
    const good = workspaceFile(
      dataDir,
      `          - name: oncall
            kind: webhook
            url: ${receiver.url}/hook
            secretEnv: ONCALL_SECRET
            events: [REQUEST_AWAITING_APPROVAL, REQUEST_FAILED]
            tenantEnvironments: [acme/production]
          - name: argocd
            kind: ARGOCD
            url: ${receiver.url}/api/webhook
`,
    );
    const first = await runCli(['apply', '-f', good], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`+ notification target shop/oncall (WEBHOOK → 127.0.0.1:${receiver.port}, signed)`);
    expect(first.stdout).toContain('+ notification target shop/argocd (ARGOCD');
    expect(first.stdout).not.toContain(secret);
    const again = await runCli(['apply', '-f', good], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('no changes');

    const listed = await runCli(['notification', 'list', '--project', 'shop'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/oncall\s+WEBHOOK\s+http:\/\/127\.0\.0\.1:\d+\/hook\s+yes\s+REQUEST_AWAITING_APPROVAL,REQUEST_FAILED\s+acme\/production/);
    expect(listed.stdout).toMatch(/argocd\s+ARGOCD\s+\S+\s+no\s+all\s+all/);
    expect(listed.stdout).not.toContain(secret);

    // Problems at their lines; nothing changes.
    const bad = workspaceFile(
      dataDir,
      `          - name: oncall
            kind: WEBHOOK
            url: http://169.254.169.254/latest
            events: [REQUEST_CREATED]
          - name: argo2
            kind: ARGOCD
            url: https://argocd.example.com/api/webhook
            events: [REQUEST_CREATED]
          - name: typo
            kind: WEBHOOK
            url: https://hooks.example.com/
            events: [REQUEST_EXPLODED]
`,
    );
    const refused = await runCli(['apply', '-f', bad], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/workspace\.yaml:\d+:\d+: .*events\[0\]: must be one of REQUEST_CREATED/);
    fs.writeFileSync(bad, fs.readFileSync(bad, 'utf8').replace('REQUEST_EXPLODED', 'REQUEST_CREATED'));
    const refusedAgain = await runCli(['apply', '-f', bad], env);
    expect(refusedAgain.code).toBe(1);
    expect(refusedAgain.stderr).toMatch(/workspace\.yaml:15:\d+: notification target 169\.254\.169\.254 refused: .*link-local/);
    expect(refusedAgain.stderr).toMatch(/workspace\.yaml:\d+:\d+: a ARGOCD target takes COMMIT_PUSHED, not REQUEST_CREATED/);

    const unknown = await runCli(['notification', 'set', '--project', 'shop', '--name', 'x', '--kind', 'WEBHOOK', '--url', `${receiver.url}/`, '--event', 'BOGUS'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('backtrack: unknown notification event kind BOGUS: one of REQUEST_CREATED');

    // What apply wrote is what the server uses.
    const t = openTestApp(dataDir, template.info, { env: { NOTIFY_ALLOWED_NETWORKS: '127.0.0.1' } });
    try {
      const targets = data(await gql(t, t.token('ADMIN'), `{ project(slug: "shop") { notificationTargets { name kind hasSecret eventKinds tenantEnvironments } } }`)).project.notificationTargets;
      expect(targets).toEqual([
        { name: 'argocd', kind: 'ARGOCD', hasSecret: false, eventKinds: [], tenantEnvironments: [] },
        { name: 'oncall', kind: 'WEBHOOK', hasSecret: true, eventKinds: ['REQUEST_AWAITING_APPROVAL', 'REQUEST_FAILED'], tenantEnvironments: ['acme/production'] },
      ]);
    } finally {
      await t.app.stopServices();
    }
  }, 120_000);
});
