/** A file in the school system's export directory, as listed there. */
export interface RemoteSourceFile {
  /** A plain file name (no directory, no leading dot). */
  readonly name: string;
  readonly sizeBytes: number;
  readonly modifiedAt: Date;
}

/**
 * Fetches the school system's export from where it publishes it (`connectors/transports/sftp`: an SFTP
 * directory, pinned host key). The core decides which file and remembers what it took; the connector
 * only lists and downloads, never leaving a partial file under the final name.
 */
export interface SourceFileFetcher {
  /** Where the files are, for messages and keys: `sftp://host:port/dir`; never a secret. */
  readonly location: string;
  /** Longest one fetch may take; a claim older than this whose process died may be taken again. */
  readonly deadlineSeconds: number;
  /**
   * In one session: lists the export files, picks the newest modified before `settledBefore` (a file
   * changed later may still be being written), asks `claim` whether to take it, and if so downloads it to
   * `localPath(file)` (0600). Returns the file taken, or undefined when there was none to take.
   */
  fetchNewest(options: {
    readonly settledBefore: Date;
    readonly claim: (file: RemoteSourceFile) => Promise<boolean>;
    readonly localPath: (file: RemoteSourceFile) => string;
    readonly signal?: AbortSignal;
  }): Promise<RemoteSourceFile | undefined>;
}
