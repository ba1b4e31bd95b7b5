export { sha256Line, writeFileAtomically, type WrittenFile } from './atomic-file.js';
