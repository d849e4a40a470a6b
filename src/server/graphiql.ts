/**
 * GraphiQL at /graphql, from the server's own assets: @graphql-yoga/render-graphiql inlines its
 * code, styles, fonts and editor workers into the page (no CDN), so it works without internet.
 */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

export const GRAPHIQL_OPTIONS: GraphiQLOptions = {
  title: 'Backtrack',
  // Subscriptions over SSE: an HTTP request like every query, so it carries the headers typed into
  // GraphiQL's headers editor (the bearer token). Over graphql-ws GraphiQL sends an empty
  // connection_init, which the server refuses (4403).
  subscriptionsProtocol: 'SSE',
  // GraphiQL opens SSE streams with GET, which CSRF prevention refuses without a header a
  // cross-site form cannot send (see useCSRFPrevention in yoga.ts).
  additionalHeaders: { 'x-graphql-yoga-csrf': 'graphiql' },
  // The token typed in stays in the tab: it is not written to the browser's storage.
  shouldPersistHeaders: false,
};

/** The page is about 9 MB of inlined assets: rendered once, served from memory. */
export function graphiqlRenderer(): (options: GraphiQLOptions) => string {
  let page: string | undefined;
  return (options) => (page ??= renderGraphiQL(options));
}
