export { sftpConfigPlaces, sftpConfigSchema, type SftpConfig } from './sftp-config.js';
export { SftpTransport, hostKeyFingerprint } from './sftp-transport.js';
