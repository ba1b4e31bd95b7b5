export { sftpConfigPlaces, sftpConfigSchema } from './sftp-config.js';
export { hostKeyFingerprint } from './sftp-session.js';
export { SftpTransport } from './sftp-transport.js';
