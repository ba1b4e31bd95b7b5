export { fileDropConfigPlaces, fileDropConfigSchema } from './file-drop-config.js';
export { FileDropTransport } from './file-drop-transport.js';
