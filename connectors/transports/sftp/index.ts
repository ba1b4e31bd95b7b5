export { sftpConfigPlaces, sftpConfigSchema } from './sftp-config.js';
export { hostKeyFingerprint } from './host-key.js';
export { createSftpSourceFetcher, readSourcePullConfig, type SourcePullConfig } from './sftp-source.js';
export { SftpTransport } from './sftp-transport.js';
