import './resolve-ts-extensions.cjs';
import { enterScratchRoot } from './scratch-root.js';

/** The unit project needs no services: only the run's scratch directory (test/setup/scratch-root.ts). */
export default function unitGlobalSetup(): void {
  enterScratchRoot();
}
