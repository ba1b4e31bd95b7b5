#!/usr/bin/env node
// The development tools (synthetic data, demo, benchmark), kept out of the operator binary.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/fixtures/dev-cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error(
    'PIFU_INTERNAL: pifu-hub-dev is not built; run `npm run build` (npm install does it for you)',
  );
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv);
