/** The environment for a spawned entry point: production-like, without the test process's own settings. */
import { CONFIG_VARIABLES } from '../../src/config';

export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const name of CONFIG_VARIABLES) delete base[name];
  // vitest sets NODE_ENV=test and VITEST*; the entry points must behave as in production.
  for (const name of Object.keys(base)) if (name.startsWith('VITEST')) delete base[name];
  delete base.NODE_ENV;
  return { ...base, ...env };
}
