export { copyFileAtomically, digestFile, sha256Line, writeFileAtomically } from './atomic-file.js';
export { checkSpoolFile } from './spool-file.js';
export { readLineBatches } from './line-batches.js';
export { fileReadBytes } from './read-bytes.js';
export { LineWriter } from './line-writer.js';
