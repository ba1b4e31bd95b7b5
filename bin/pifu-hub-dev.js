#!/usr/bin/env node
// The development tools (synthetic data, demo, benchmark), kept out of the operator binary.
import { launch } from './launch.js';

await launch(
  new URL('../dist/fixtures/dev-cli/main.js', import.meta.url),
  'PIFU_INTERNAL: pifu-hub-dev is not built; run `npm run build` (npm install does it for you)',
);
