import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { allowedHost, hasToken, newToken, originAllowed, tokenCookieName } from './auth';
import {
  DEFAULT_MAX_FOLDER_BYTES,
  DEFAULT_MAX_UPLOAD_BYTES,
  isFileRoute,
  serveFileRoute,
  type FileRouteOptions,
  type UploadConsumer,
} from './file-routes';
import { importUploadedBundle } from './bundle-upload';
import { SECURITY_HEADERS, serveStatic } from './static-files';
import { send, serveSocket } from './ws-session';
import { ServicesHolder, type EngineSwitchOptions } from '../host/engine-switch';
import type { Services } from '../services';
import { VolsnapError } from '../../shared/errors';
import { TOKEN_PARAM, WS_PATH } from '../../shared/web-protocol';

export interface WebHostOptions {
  /** The services the host starts with; the engine picker replaces them (engine-switch.ts). */
  services: Services;
  /** How engines are listed and switched (tests pass their own environment). */
  engines?: Omit<EngineSwitchOptions, 'services'>;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Loopback unless the user asked otherwise. */
  host?: string;
  /** Fixed token for tests; a random one otherwise. */
  token?: string;
  /** The download and upload routes' limits, and what takes an upload (file-routes.ts; the bundle import by default). */
  files?: { maxFolderBytes?: number; maxUploadBytes?: number; onUpload?: UploadConsumer };
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** A request body or frame bigger than this is refused: no command needs more. */
const MAX_PAYLOAD_BYTES = 1024 * 1024;

/**
 * Starts the web host: the built renderer over HTTP and the contract over a WebSocket, both
 * behind a random token; the WebSocket also checks its Origin. Events go to every open socket.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const bindHost = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  const holder = new ServicesHolder({ ...options.engines, services: options.services });
  const { handlers } = holder;
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES });
  const auth = { token, port: 0, bindHost };
  const fileRoutes = (): FileRouteOptions => ({
    ...auth,
    services: () => holder.current,
    maxFolderBytes: options.files?.maxFolderBytes ?? DEFAULT_MAX_FOLDER_BYTES,
    maxUploadBytes: options.files?.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    onUpload: options.files?.onUpload ?? importUploadedBundle(() => holder.current),
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (isFileRoute(url.pathname)) return void serveFileRoute(req, res, url, fileRoutes());
    void onRequest(req, res, { ...auth, rendererDir: options.rendererDir });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node drops its own error handler on upgrade: a reset during a refusal must not crash us.
    socket.on('error', () => socket.destroy());
    const refusal = upgradeRefusal(req, auth);
    if (refusal) return refuse(socket, refusal);
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.once('close', () => sockets.delete(ws));
      serveSocket(ws, handlers);
    });
  });
  auth.port = await listen(server, options.port ?? 0, bindHost);
  const stopEvents = holder.bridge((event, payload) => {
    for (const ws of sockets) send(ws, { type: 'event', event, payload });
  });
  const shownHost = bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost;
  return {
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${auth.port}/?${TOKEN_PARAM}=${token}`,
    port: auth.port,
    token,
    close: async () => {
      stopEvents();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      holder.close();
    },
  };
}

type Auth = { token: string; port: number; bindHost: string };

async function onRequest(
  req: IncomingMessage,
  res: ServerResponse,
  auth: Auth & { rendererDir: string },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const refusal = !allowedHost(req.headers.host, auth)
    ? { status: 403, reason: 'Unknown Host' }
    : !hasToken(req, url, auth)
      ? { status: 401, reason: 'Missing or wrong token: open the URL `volsnap serve` printed.' }
      : req.method !== 'GET' && req.method !== 'HEAD'
        ? { status: 405, reason: 'Only GET' }
        : null;
  if (refusal) {
    res.writeHead(refusal.status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${refusal.reason}\n`);
    return;
  }
  if (url.searchParams.has(TOKEN_PARAM)) {
    // The first request carries the token in its URL; the page's assets then use the cookie.
    res.setHeader('Set-Cookie', `${tokenCookieName(auth.port)}=${auth.token}; HttpOnly; SameSite=Strict; Path=/`);
  }
  await serveStatic(auth.rendererDir, url.pathname, res).catch(() => res.destroy());
}

function upgradeRefusal(req: IncomingMessage, auth: Auth): { status: 401 | 403 | 404; reason: string } | null {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== WS_PATH) return { status: 404, reason: 'Not Found' };
  if (!hasToken(req, url, auth)) return { status: 401, reason: 'Unauthorized' };
  if (!originAllowed(req, auth)) return { status: 403, reason: 'Forbidden' };
  return null;
}

function refuse(socket: Duplex, refusal: { status: number; reason: string }): void {
  socket.end(`HTTP/1.1 ${refusal.status} ${refusal.reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new VolsnapError(
          error.code === 'EADDRINUSE' ? 'Conflict' : 'InvalidInput',
          `Cannot listen on ${host}:${port} (${error.code ?? error.message}). Choose another --port or --host.`,
        ),
      ),
    );
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
