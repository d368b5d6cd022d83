import { z } from 'zod';
import type { EventName } from './contract';
import type { Result } from './errors';

/**
 * The web host's WebSocket protocol: the contract's commands as request/response frames, and
 * the contract's events pushed by the server. JSON text frames only.
 */

/** The page passes its token on the WebSocket URL under this query parameter (and the page URL). */
export const TOKEN_PARAM = 'token';
/** Path of the WebSocket endpoint on the web host. */
export const WS_PATH = '/ws';

/** Client → server: call one command; the server answers with the same `id`. */
export const WsRequestSchema = z
  .object({ id: z.number().int().nonnegative(), command: z.string().min(1).max(100), input: z.unknown() })
  .strict();
export type WsRequest = z.infer<typeof WsRequestSchema>;

/** Server → client frames. */
export type WsMessage =
  { type: 'result'; id: number; result: Result<unknown> } | { type: 'event'; event: EventName; payload: unknown };
