/** An open database of either dialect, as the app composes it. */
import type { RunInTransaction, Stores } from '../domain/ports';

export interface DatabaseHandle {
  readonly dialect: 'sqlite' | 'postgres';
  /** The file or the server, for logs and messages (never with a password). */
  readonly description: string;
  /** Reads of committed data (outside any transaction). */
  readonly stores: Stores;
  readonly run: RunInTransaction;
  /** Raw SQL for operators and tests (`?` placeholders); rows of a query, nothing for a statement. */
  query(text: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}
