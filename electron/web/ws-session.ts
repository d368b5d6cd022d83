import type { WebSocket } from 'ws';
import { invokeCommand, type Handlers } from '../host/handlers';
import { WsRequestSchema, type WsMessage } from '../../shared/web-protocol';

/**
 * Serves the contract on one authenticated WebSocket: each text frame is a `WsRequest`; each
 * answer carries the request's id and the result envelope. A malformed frame gets an
 * `InvalidInput` answer (id -1 when it had none) and the connection stays open.
 */
export function serveSocket(socket: WebSocket, handlers: Handlers): void {
  // A frame ws refuses (reserved opcode, invalid UTF-8, over maxPayload) or a reset connection
  // surfaces here after ws has sent its close frame (1002, 1007, 1009) and begun closing this
  // connection alone. Without a listener the error is thrown and takes down the process, with
  // every job it runs. Jobs never depend on the socket that started them.
  socket.on('error', () => undefined);
  socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary) => {
    void answer(socket, handlers, isBinary ? null : Buffer.concat(toBuffers(data)).toString('utf8'));
  });
}

function toBuffers(data: Buffer | ArrayBuffer | Buffer[]): Buffer[] {
  if (Array.isArray(data)) return data;
  return [Buffer.isBuffer(data) ? data : Buffer.from(data)];
}

async function answer(socket: WebSocket, handlers: Handlers, text: string | null): Promise<void> {
  const request = parseRequest(text);
  if (!request.ok) {
    send(socket, { type: 'result', id: request.id, result: { ok: false, error: request.error } });
    return;
  }
  const { id, command, input } = request.value;
  send(socket, { type: 'result', id, result: await invokeCommand(handlers, command, input) });
}

type Parsed =
  | { ok: true; value: { id: number; command: string; input: unknown } }
  | { ok: false; id: number; error: { kind: 'InvalidInput'; message: string } };

function parseRequest(text: string | null): Parsed {
  let json: unknown;
  try {
    json = text === null ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = WsRequestSchema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const id = typeof (json as { id?: unknown } | undefined)?.id === 'number' ? (json as { id: number }).id : -1;
  return {
    ok: false,
    id,
    error: { kind: 'InvalidInput', message: 'Malformed request: expected JSON {id, command, input}.' },
  };
}

/** Sends one frame if the socket is still open (a closed tab simply misses it). */
export function send(socket: WebSocket, message: WsMessage): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}
