import { removeScratchDirs } from '../helpers/scratch-dir.js';

// Registered before the test file's own hooks, at the top level: it runs after every describe block's
// afterAll, once nothing in the file uses its directories any more.
afterAll(removeScratchDirs);
