export { sha256Line, writeFileAtomically } from './atomic-file.js';
