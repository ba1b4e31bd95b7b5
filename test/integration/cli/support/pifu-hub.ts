// `node --import ../../faults/support/register-ts.mjs pifu-hub.ts ARGS…`: the CLI from source, as a process
// of its own, for what only a real process shows (signals, exit codes).
import { main } from '../../../../jobs/cli/main.js';

await main(process.argv);
