/** The on-call CLI's pure parts: server URLs, colour decisions, the coloured diff and the Argo CD snippet. */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { argoCdSnippet } from '../../src/cli/repo';
import { colouredDiff, parseTarget, styleFor } from '../../src/cli/remote-output';
import { configFile, graphqlUrl } from '../../src/cli/server-connection';

describe('the server URL and the config file', () => {
  it('names the GraphQL endpoint whether or not /graphql is given', () => {
    expect(graphqlUrl('http://localhost:4000')).toBe('http://localhost:4000/graphql');
    expect(graphqlUrl('https://backtrack.example.com/api/')).toBe('https://backtrack.example.com/api/graphql');
    expect(graphqlUrl('http://127.0.0.1:4000/graphql')).toBe('http://127.0.0.1:4000/graphql');
    expect(() => graphqlUrl('localhost:4000')).toThrow(/must be (an http\(s\) URL|http or https)/);
  });

  it('lives under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(configFile({ XDG_CONFIG_HOME: '/x', HOME: '/home/kim' })).toBe('/x/backtrack/config.json');
    expect(configFile({ HOME: '/home/kim' })).toBe('/home/kim/.config/backtrack/config.json');
  });
});

describe('output', () => {
  it('colours on a terminal or with --color, never for JSON or under NO_COLOR', () => {
    const coloured = (options: Parameters<typeof styleFor>[0], tty: boolean, env: NodeJS.ProcessEnv = {}) => styleFor(options, { isTTY: tty }, env).red('x') !== 'x';
    expect(coloured({ output: 'text' }, true)).toBe(true);
    expect(coloured({ output: 'text' }, false)).toBe(false);
    expect(coloured({ output: 'text' }, true, { NO_COLOR: '1' })).toBe(false);
    expect(coloured({ output: 'text', color: true }, false, { NO_COLOR: '1' })).toBe(true);
    expect(coloured({ output: 'json', color: true }, true)).toBe(false);
  });

  it('colours a unified diff by line and drops its separator', () => {
    const style = styleFor({ output: 'text', color: true });
    const diff = '====\n--- a/values.yaml\tcurrent\n+++ b/values.yaml\trollback\n@@ -1,2 +1,2 @@\n image:\n-  tag: v2\n+  tag: v1\n';
    expect(colouredDiff(diff, style).split('\n')).toEqual([
      '\u001b[1m--- a/values.yaml\tcurrent\u001b[22m',
      '\u001b[1m+++ b/values.yaml\trollback\u001b[22m',
      '\u001b[36m@@ -1,2 +1,2 @@\u001b[39m',
      ' image:',
      '\u001b[31m-  tag: v2\u001b[39m',
      '\u001b[32m+  tag: v1\u001b[39m',
    ]);
    expect(colouredDiff(diff, styleFor({ output: 'json' }))).toBe(diff.slice(5, -1));
  });

  it('reads a target as PROJECT/TENANT/ENV', () => {
    expect(parseTarget('shop/acme/production')).toEqual({ project: 'shop', tenant: 'acme', environment: 'production' });
    for (const bad of ['shop/acme', 'shop//production', 'a/b/c/d']) expect(() => parseTarget(bad)).toThrow(/PROJECT\/TENANT\/ENV/);
  });
});

describe('the Argo CD snippet', () => {
  const snippet = argoCdSnippet({
    url: 'https://backtrack.example.com/git/shop.git',
    project: 'shop',
    tenantEnvironment: { tenant: 'acme', environment: 'production', path: 'tenants/acme/production' },
    token: { token: 'btr_secret', id: 'tok-1', expiresAt: null },
  });

  it('adds the repository with the token as the password', () => {
    expect(snippet.argocdCommand).toBe('argocd repo add https://backtrack.example.com/git/shop.git --username argocd --password btr_secret');
    expect(parse(snippet.repositorySecret)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'backtrack-shop', namespace: 'argocd', labels: { 'argocd.argoproj.io/secret-type': 'repository' } },
      stringData: { type: 'git', url: 'https://backtrack.example.com/git/shop.git', username: 'argocd', password: 'btr_secret' },
    });
  });

  it('has an Application that applies one tenant-environment’s generated manifests', () => {
    const application = parse(snippet.applicationManifest) as { metadata: { name: string }; spec: { source: Record<string, unknown>; destination: { namespace: string } } };
    expect(application.metadata.name).toBe('shop-acme-production');
    expect(application.spec.source).toEqual({
      repoURL: 'https://backtrack.example.com/git/shop.git',
      targetRevision: 'main',
      path: 'tenants/acme/production',
      directory: { recurse: true, include: 'manifests/*.yaml' },
    });
    expect(application.spec.destination.namespace).toBe('acme-production');
  });
});
