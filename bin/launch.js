// How both binaries start (bin/pifu-hub.js, bin/pifu-hub-dev.js): the hub's V8 heap settings applied
// before the compiled CLI loads, so every process that runs hub code runs with them
// (docs/deployment.md#memory); without a build, say how to make one.
import { existsSync } from 'node:fs';

/** Runs the compiled CLI at `entry` (a URL under dist/) with the process's arguments. */
export async function launch(entry, notBuilt) {
  if (!existsSync(entry)) {
    console.error(notBuilt);
    process.exit(1);
  }
  const { applyHeapSettings } = await import(
    new URL('../dist/src/config/heap-settings.js', import.meta.url).href
  );
  applyHeapSettings();
  const { main } = await import(entry.href);
  await main(process.argv);
}
