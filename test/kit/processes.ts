/** Processes on this machine, by what their command lines say (tests that check no process is left behind). */
import fs from 'node:fs';

/** Pids of the processes whose arguments `matches` accepts, in ascending order. */
export function processesWhose(matches: (argv: string[]) => boolean): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return matches(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'));
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number)
    .sort((a, b) => a - b);
}
