import path from 'node:path';
import { defineCommand, stringOption, UsageError, type CliContext } from '../command';
import { reportLoopDelay } from '../../web/loop-monitor';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * `volsnap serve`: the desktop UI in a browser, until Ctrl-C. With --json, stdout holds one document,
 * `{url, port, token}`, written as soon as the server listens; nothing follows it at the stop.
 */
export const serveCommand = defineCommand<{ stopped: true }>({
  name: 'serve',
  usage: 'volsnap serve [--port P] [--host H]',
  summary: 'Serve the Volsnap UI to a browser on 127.0.0.1 (token-protected)',
  options: { port: { type: 'string' }, host: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  mutating: true,
  // Its UI deletes and exports: on a full disk it opens the catalog writable (host-services.ts).
  freesSpace: true,
  writesOwnJson: true,
  async run(ctx, args) {
    const port = parsePort(stringOption(args, 'port'));
    const host = stringOption(args, 'host') ?? '127.0.0.1';
    if (!LOOPBACK.has(host)) {
      ctx.stderr.write(
        `volsnap: WARNING: serving on ${host}, reachable from other machines. Anyone with the URL's token controls your volumes.\n`,
      );
    }
    // `mutating` made runCli sweep first, which also recovers interrupted restores: like the app,
    // no restore is offered before the journal is settled.
    const services = ctx.services();
    // Loaded here: the web host (and ws) would otherwise slow every other command's start.
    const { startWebHost } = await import('../../web/web-host');
    const web = await startWebHost({ services, rendererDir: rendererDir(), port, host });
    const stopLoop = process.env.VOLSNAP_DEBUG_LOOP === '1' ? reportLoopDelay((l) => ctx.stderr.write(l)) : () => {};
    // Like the app: due schedules each minute, retention each hour, both once now.
    const { startBackgroundScheduler } = await import('../../services/background-scheduler');
    const scheduler = startBackgroundScheduler(
      () => services,
      (line) => ctx.stderr.write(`volsnap: ${line}\n`),
    );
    announce(ctx, web);
    await untilSignal();
    scheduler.stop();
    stopLoop();
    await web.close();
    return { stopped: true };
  },
  human: () => 'volsnap serve stopped.',
});

function announce(ctx: CliContext, web: { url: string; port: number; token: string }): void {
  // Written at once (not as the command's result): the server keeps running after this line.
  const line = ctx.json
    ? JSON.stringify({ url: web.url, port: web.port, token: web.token })
    : `Volsnap is serving at ${web.url}\nOpen it in a browser; Ctrl-C stops.`;
  process.stdout.write(`${line}\n`);
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError('--port must be 0..65535');
  return port;
}

/** dist/renderer next to the bundled CLI (dist/cli.cjs); VOLSNAP_RENDERER_DIR overrides it. */
function rendererDir(): string {
  return process.env.VOLSNAP_RENDERER_DIR ?? path.join(__dirname, 'renderer');
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
