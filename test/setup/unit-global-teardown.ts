import './resolve-ts-extensions.cjs';
import { leaveScratchRoot } from './scratch-root.js';

export default function unitGlobalTeardown(): void {
  leaveScratchRoot();
}
