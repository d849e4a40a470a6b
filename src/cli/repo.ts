/**
 * `backtrack repo argocd`: connects Argo CD to a project's repository — the clone URL, a new
 * repository read token, `argocd repo add`, a declarative repository Secret and an Application for
 * one tenant-environment; `repo tokens` and `repo revoke-token` list and revoke those tokens. It goes through the GraphQL API only (Project.repositoryUrl,
 * createRepositoryToken), which servers without Git over HTTP do not have: their answer names that.
 */
import type { Command } from 'commander';
import { integerOption, type Cli } from './context';
import { EXIT, found, ServerError, type PlainOperation } from './graphql-client';
import { remoteCommand, report, type OutputOptions } from './remote-output';
import { connect } from './server-connection';
import { ARGOCD_USERNAME, argoCdTexts } from '../domain/repository-tokens';

const RepositoryDocument = `
  query OncallRepository($project: String!) {
    project(slug: $project) {
      slug
      repositoryUrl
      tenantEnvironments { tenant environment path }
    }
  }
` as PlainOperation<
  { project: { slug: string; repositoryUrl: string; tenantEnvironments: Array<{ tenant: string; environment: string; path: string }> } | null },
  { project: string }
>;

const CreateRepositoryTokenDocument = `
  mutation OncallCreateRepositoryToken($input: CreateRepositoryTokenInput!) {
    createRepositoryToken(input: $input) { token repositoryToken { id name expiresAt } }
  }
` as PlainOperation<
  { createRepositoryToken: { token: string; repositoryToken: { id: string; name: string; expiresAt: string | null } } },
  { input: { project: string; name: string; expiresInDays?: number } }
>;

export interface ArgoCdSnippet {
  url: string;
  username: string;
  /** The new repository read token, shown once. */
  token: string;
  tokenId: string;
  expiresAt: string | null;
  argocdCommand: string;
  repositorySecret: string;
  applicationManifest: string;
}

export function argoCdSnippet(input: {
  url: string;
  project: string;
  tenantEnvironment: { tenant: string; environment: string; path: string };
  token: { token: string; id: string; expiresAt: string | null };
}): ArgoCdSnippet {
  const { url, project, tenantEnvironment, token } = input;
  return {
    url,
    username: ARGOCD_USERNAME,
    token: token.token,
    tokenId: token.id,
    expiresAt: token.expiresAt,
    ...argoCdTexts(url, project, tenantEnvironment, token.token),
  };
}

/** A server without Git over HTTP does not know the fields: say what is missing rather than GraphQL's words. */
function withoutGitHttp(error: unknown): never {
  if (error instanceof ServerError && error.code === 'GRAPHQL_VALIDATION_FAILED') {
    throw new ServerError(`this server does not serve repositories over Git HTTP (no Project.repositoryUrl / createRepositoryToken): ${error.message}`, error.code, EXIT.refused);
  }
  throw error;
}

interface RepositoryTokenRow {
  id: string;
  name: string;
  active: boolean;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const TOKEN_FIELDS = 'id name active createdAt expiresAt lastUsedAt revokedAt';

const RepositoryTokensDocument = `
  query OncallRepositoryTokens($project: String!) {
    project(slug: $project) { repositoryTokens { ${TOKEN_FIELDS} } }
  }
` as PlainOperation<{ project: { repositoryTokens: RepositoryTokenRow[] } | null }, { project: string }>;

const RevokeRepositoryTokenDocument = `
  mutation OncallRevokeRepositoryToken($id: ID!) {
    revokeRepositoryToken(id: $id) { ${TOKEN_FIELDS} }
  }
` as PlainOperation<{ revokeRepositoryToken: RepositoryTokenRow }, { id: string }>;

function tokenLine(token: RepositoryTokenRow): string {
  const state = token.revokedAt ? `revoked ${token.revokedAt}` : !token.active ? `expired ${token.expiresAt}` : token.expiresAt ? `expires ${token.expiresAt}` : 'never expires';
  return `${token.id}  ${token.name}  created ${token.createdAt}  ${state}  last used ${token.lastUsedAt ?? 'never'}`;
}

export function registerRepoCommands(program: Command, cli: Cli): void {
  const repo = program.command('repo').description("a project's hosted Git repository");

  remoteCommand(repo, 'tokens', "ADMIN: the project's repository read tokens, newest first, revoked and expired ones included")
    .argument('<project>', 'the project')
    .action(async (project: string, options: OutputOptions) => {
      const tokens = found((await connect().request(RepositoryTokensDocument, { project })).project, `project ${project}`).repositoryTokens;
      report(cli, options, tokens, (rows) => (rows.length === 0 ? cli.line('no repository read tokens') : rows.forEach((row) => cli.line(tokenLine(row)))));
    });

  remoteCommand(repo, 'revoke-token', 'ADMIN: revoke a repository read token by id (clones with it fail at once)')
    .argument('<id>', 'the token id (repo tokens lists them)')
    .action(async (id: string, options: OutputOptions) => {
      const revoked = (await connect().request(RevokeRepositoryTokenDocument, { id })).revokeRepositoryToken;
      report(cli, options, revoked, (row) => cli.line(`revoked: ${tokenLine(row)}`));
    });

  remoteCommand(repo, 'argocd', 'the Argo CD repository snippet: clone URL, a new repository read token (ADMIN), argocd repo add, Secret and Application')
    .requiredOption('--project <slug>', 'the project')
    .option('--tenant <slug>', 'the Application for this tenant (with --environment; default: the first tenant-environment)')
    .option('--environment <slug>', 'the Application for this environment')
    .option('--token-name <name>', 'the repository read token’s name', 'argocd')
    .option('--expires-in-days <n>', 'the token expires after this many days (default: never)', integerOption('--expires-in-days'))
    .action(async (options: OutputOptions & { project: string; tenant?: string; environment?: string; tokenName: string; expiresInDays?: number }) => {
      const client = connect();
      const project = found((await client.request(RepositoryDocument, { project: options.project }).catch(withoutGitHttp)).project, `project ${options.project}`);
      const sorted = [...project.tenantEnvironments].sort((a, b) => a.tenant.localeCompare(b.tenant) || a.environment.localeCompare(b.environment));
      const named = options.tenant || options.environment;
      const te = named ? sorted.find((t) => t.tenant === options.tenant && t.environment === options.environment) : sorted[0];
      const chosen = named
        ? found(te, `tenant-environment ${options.project}/${options.tenant}/${options.environment}`)
        : (te ?? { tenant: '<tenant>', environment: '<environment>', path: 'tenants/<tenant>/<environment>' });
      const { createRepositoryToken: created } = await client
        .request(CreateRepositoryTokenDocument, { input: { project: project.slug, name: options.tokenName, expiresInDays: options.expiresInDays } })
        .catch(withoutGitHttp);
      const snippet = argoCdSnippet({ url: project.repositoryUrl, project: project.slug, tenantEnvironment: chosen, token: { token: created.token, ...created.repositoryToken } });
      report(cli, options, snippet, (s, style) => {
        cli.line(`Repository: ${s.url}`);
        cli.line(`Read token "${created.repositoryToken.name}" (${s.tokenId}), ${s.expiresAt ? `expires ${s.expiresAt}` : 'never expires'}; ${style.bold('it is shown this once')}.`);
        cli.line();
        cli.line(s.argocdCommand);
        cli.line();
        cli.line('# or declaratively, a repository Secret in Argo CD’s namespace:');
        cli.output.out(s.repositorySecret);
        cli.line('---');
        cli.output.out(s.applicationManifest);
      });
    });
}
