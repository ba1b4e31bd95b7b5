export { sftpConfigSchema } from './sftp-config.js';
export { SftpTransport, hostKeyFingerprint } from './sftp-transport.js';
