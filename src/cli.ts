/** The admin CLI's entry point (`npm run cli -- …`, `bin/backtrack.js`); the program is built in src/cli/program.ts. */
import { runCli } from './cli/program';

process.exitCode = await runCli(process.argv.slice(2));
