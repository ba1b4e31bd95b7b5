/** The signals that ask a long-running process (`worker`, `scheduler`, `serve`) to stop. */
const stopSignals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** A stop request, as every long-running process sees it. */
export interface StopListener {
  /** Resolves with the first SIGTERM or SIGINT since `listenForStop`. */
  readonly requested: Promise<NodeJS.Signals>;
  /** What a further signal does (a worker stops at once); by default nothing more. */
  onRepeat(handler: (signal: NodeJS.Signals) => void): void;
  /** Takes the handlers off again: after it, a signal does what Node does by default. */
  dispose(): void;
}

/**
 * The one way `worker`, `scheduler` and `serve` learn that they should stop. Each installs it first,
 * before it opens anything and before its "started" log line, so a signal that comes while it starts
 * is a stop request (honoured once started: close in order, exit 0), never Node's default death by
 * signal with nothing closed.
 */
export function listenForStop(signals: readonly NodeJS.Signals[] = stopSignals): StopListener {
  let resolveRequested!: (signal: NodeJS.Signals) => void;
  const requested = new Promise<NodeJS.Signals>((resolve) => (resolveRequested = resolve));
  let received = 0;
  let repeat: ((signal: NodeJS.Signals) => void) | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    received += 1;
    if (received === 1) resolveRequested(signal);
    else repeat?.(signal);
  };
  for (const name of signals) process.on(name, onSignal);
  return {
    requested,
    onRepeat: (handler) => {
      repeat = handler;
    },
    dispose: () => {
      for (const name of signals) process.off(name, onSignal);
    },
  };
}
