#!/usr/bin/env node
// The compiled CLI; `npm ci` builds it (the `prepare` script). Without a build, say how to make one.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/jobs/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('error: pifu-hub is not built; run `npm run build` (npm ci does it for you)');
  process.exit(1);
}
// Before the CLI loads, so every process of the hub runs with them (docs/deployment.md#memory).
const { applyHeapSettings } = await import(
  new URL('../dist/src/config/heap-settings.js', import.meta.url).href
);
applyHeapSettings();
const { main } = await import(entry.href);
await main(process.argv);
