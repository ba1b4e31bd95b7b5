#!/usr/bin/env node
// The operator CLI, compiled; `npm ci` builds it (the `prepare` script).
import { launch } from './launch.js';

await launch(
  new URL('../dist/jobs/cli/main.js', import.meta.url),
  'error: pifu-hub is not built; run `npm run build` (npm ci does it for you)',
);
