import type { Command } from 'commander';
import { openRuntime } from '../../runtime.js';
import { listenForStop } from '../../stop-signals.js';
import { wholeNumber } from '../cli-options.js';

/**
 * `pifu-hub serve`: the HTTP API, the pull endpoint and /metrics (docs/api.md) until SIGTERM/SIGINT.
 * Loopback by default: exposing it is a decision (a reverse proxy with TLS in front, R7). Each request
 * signs in with its own API token; the OS user who starts it grants nothing.
 */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API, the pull endpoint for recipients and /metrics until SIGTERM/SIGINT')
    .option('--host <address>', 'address to listen on (loopback only unless told)', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0–65535)', wholeNumber({ min: 0, max: 65_535 }), 8080)
    .option('--public-metrics', 'serve /metrics without a token (a scraper on a closed network)', false)
    .action(async (options: { host: string; port: number; publicMetrics: boolean }) => {
      const stop = listenForStop();
      try {
        const runtime = await openRuntime();
        let server;
        try {
          // The HTTP stack (Fastify, the dashboard, the queue board, OpenAPI) loads for `serve` alone:
          // every other command starts without it.
          const { startHttpServer } = await import('../../server.js');
          server = await startHttpServer(runtime, options);
        } catch (error) {
          await runtime.close();
          throw error;
        }
        const signal = await stop.requested;
        runtime.logger.info({ signal }, 'http api stopping: answering the requests under way');
        await server.close();
        await runtime.close();
      } finally {
        stop.dispose();
      }
    });
}
