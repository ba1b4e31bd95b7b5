export { sftpConfigPlaces, sftpConfigSchema } from './sftp-config.js';
export { hostKeyFingerprint } from './host-key.js';
export { SftpTransport } from './sftp-transport.js';
