/**
 * Load for the rows measured "under load": a process that busy-loops, taking one of the machine's
 * cores as a concurrent test run would. It exits when stopped or when this process goes away.
 */
import { spawn } from 'node:child_process';

export function startLoad(): () => void {
  const burner = spawn(process.execPath, ['-e', `process.on('disconnect', () => process.exit(0)); for (;;) {}`], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  return () => burner.kill();
}
