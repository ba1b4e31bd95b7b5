export { createPifuFileReader } from './pifu-file-reader.js';
