import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { allowedHost, hasToken } from './auth';
import { SECURITY_HEADERS } from './static-files';
import type { Services } from '../services';
import { toErrorData, VolsnapError, type ErrorKind } from '../../shared/errors';
import { exportDownload } from './export-route';
import { DOWNLOAD_PATH, EXPORT_PATH, UPLOAD_NAME_HEADER, UPLOAD_PATH } from '../../shared/file-types';

/** What a finished upload is handed to (the bundle import); its answer is sent back as JSON. */
export type UploadConsumer = (file: string, meta: { name: string | null }) => Promise<unknown>;

export interface FileRouteOptions {
  /** The services current when a request arrives (the engine picker may replace them). */
  services: () => Services;
  token: string;
  port: number;
  bindHost: string;
  /** A folder download bigger than this (sum of its files) is refused; a file is streamed whatever its size. */
  maxFolderBytes: number;
  maxUploadBytes: number;
  /** Takes the uploaded temp file; without one, uploads are refused (nothing consumes them yet). */
  onUpload?: UploadConsumer;
}

export const DEFAULT_MAX_FOLDER_BYTES = 4 * 1024 ** 3;
export const DEFAULT_MAX_UPLOAD_BYTES = 8 * 1024 ** 3;

export function isFileRoute(pathname: string): boolean {
  return pathname === DOWNLOAD_PATH || pathname === UPLOAD_PATH || pathname === EXPORT_PATH;
}

/**
 * The download and upload routes. The rules are the WebSocket's (auth.ts): a known Host, the
 * token (URL or the page's cookie), and an Origin that is exactly the page's; a download link the
 * user clicks sends no Origin, so for GET only a present Origin (or a cross-site Sec-Fetch-Site)
 * refuses. The URL names a snapshot, volume and in-volume path that are looked up in the manifest;
 * nothing from it is ever joined to a host path.
 */
export async function serveFileRoute(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: FileRouteOptions,
): Promise<void> {
  const refusal = refusalOf(req, url, options);
  if (refusal) return sendError(res, refusal.status, refusal.kind, refusal.message);
  try {
    if (url.pathname === DOWNLOAD_PATH) await download(res, url, options);
    else if (url.pathname === EXPORT_PATH) await exportDownload(res, url, options.services());
    else await upload(req, res, options);
  } catch (error) {
    if (res.headersSent) return void res.destroy();
    const data = toErrorData(error);
    sendError(res, statusOf(data.kind, url.pathname), data.kind, data.message);
  }
}

const STATUS: Partial<Record<ErrorKind, number>> = { InvalidInput: 400, NotFound: 404, Conflict: 409, Integrity: 500 };

/**
 * `Integrity` on a download is the store's damage (the server's fault: 500); on an upload it is
 * the uploaded file refused by the import's checks (hostile or damaged: the client's to fix, 422).
 */
function statusOf(kind: ErrorKind, pathname: string): number {
  if (kind === 'Integrity' && pathname === UPLOAD_PATH) return 422;
  return STATUS[kind] ?? 500;
}

function refusalOf(
  req: IncomingMessage,
  url: URL,
  options: FileRouteOptions,
): { status: number; kind: ErrorKind; message: string } | null {
  if (!allowedHost(req.headers.host, options)) return { status: 403, kind: 'Unsupported', message: 'Unknown Host.' };
  if (!hasToken(req, url, options))
    return {
      status: 401,
      kind: 'Unsupported',
      message: 'Missing or wrong token: open the URL `volsnap serve` printed.',
    };
  const expected = `http://${req.headers.host}`;
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  const isGet = req.method === 'GET' || req.method === 'HEAD';
  if ((origin !== undefined || !isGet) && origin !== expected)
    return { status: 403, kind: 'Unsupported', message: 'Refused: this request did not come from the Volsnap page.' };
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none')
    return { status: 403, kind: 'Unsupported', message: 'Refused: this request did not come from the Volsnap page.' };
  const method = url.pathname === UPLOAD_PATH ? 'POST' : 'GET';
  if (req.method !== method && !(method === 'GET' && req.method === 'HEAD'))
    return { status: 405, kind: 'InvalidInput', message: `Only ${method} here.` };
  return null;
}

async function download(res: ServerResponse, url: URL, options: FileRouteOptions): Promise<void> {
  const snapshot = url.searchParams.get('snapshot');
  const volume = url.searchParams.get('volume') ?? undefined;
  const inVolume = url.searchParams.get('path') ?? '.';
  if (!snapshot)
    throw new VolsnapError('InvalidInput', 'Which snapshot? Pass ?snapshot=<id>&volume=<name>&path=<path>.');
  const files = options.services().snapshotFiles;
  const ref = { snapshot, volume, path: inVolume };
  const entry = files.describe(ref);
  if (entry.type === 'dir') {
    const total = files.subtreeBytes(ref);
    if (total > options.maxFolderBytes)
      throw new VolsnapError(
        'InvalidInput',
        `This folder holds ${total} bytes, more than a browser download allows here (${options.maxFolderBytes}). Use \`volsnap extract\` instead.`,
      );
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'application/x-tar',
      ...attachment(`${entry.name}.tar`),
    });
    return files.writeTar(ref, res);
  }
  const content = files.contentEntry(ref);
  if (content.type !== 'file')
    throw new VolsnapError('InvalidInput', `${entry.path} is a ${entry.type}, not a file with contents to download.`);
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/octet-stream',
    'Content-Length': content.size,
    ...attachment(entry.name),
  });
  await files.writeFile(ref, res);
  res.end();
}

/** `attachment` with the name both as plain ASCII (old clients) and RFC 5987 UTF-8. */
function attachment(name: string): Record<string, string> {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return { 'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}` };
}

async function upload(req: IncomingMessage, res: ServerResponse, options: FileRouteOptions): Promise<void> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > options.maxUploadBytes) {
    req.resume();
    return sendError(res, 413, 'InvalidInput', tooLarge(options.maxUploadBytes));
  }
  if (!options.onUpload) {
    req.resume();
    return sendError(res, 501, 'Unsupported', 'This web host takes no uploads yet.');
  }
  let file: string;
  try {
    file = await receiveUpload(req, { dataDir: options.services().dataDir, maxBytes: options.maxUploadBytes });
  } catch (error) {
    if (!(error instanceof UploadTooLarge)) throw error;
    // Answer now and close: the rest of the body is not read, so the connection cannot be reused.
    res.setHeader('Connection', 'close');
    return sendError(res, 413, 'InvalidInput', error.message);
  }
  let answer: unknown;
  try {
    answer = await options.onUpload(file, { name: uploadName(req) });
  } finally {
    await rm(file, { force: true });
  }
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ ok: true, value: answer ?? null }));
}

/** The body went over the limit: the partial file is already gone. */
export class UploadTooLarge extends VolsnapError {
  constructor(max: number) {
    super('InvalidInput', tooLarge(max));
  }
}

/**
 * Streams a request body into a new temp file in the store's temporary area (`<data dir>/tmp`)
 * and returns its path; past `maxBytes` the partial file is removed and `UploadTooLarge` thrown.
 * The caller owns (and removes) the file. The request is unpiped, not destroyed, so the caller can
 * still answer 413 on its socket.
 */
export async function receiveUpload(
  req: IncomingMessage,
  options: { dataDir: string; maxBytes: number },
): Promise<string> {
  const dir = path.join(options.dataDir, 'tmp');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `upload-${randomBytes(8).toString('hex')}.part`);
  const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  let received = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        received += chunk.length;
        if (received <= options.maxBytes) return;
        req.off('data', onData);
        req.unpipe(out);
        req.pause();
        reject(new UploadTooLarge(options.maxBytes));
      };
      req.on('data', onData);
      req.on('error', reject);
      out.on('error', reject);
      out.on('finish', resolve);
      req.pipe(out);
    });
    return file;
  } catch (error) {
    out.destroy();
    await rm(file, { force: true });
    throw error;
  }
}

/** The file's own name, as the page sent it (a label only: it never names a host path). */
function uploadName(req: IncomingMessage): string | null {
  const raw = req.headers[UPLOAD_NAME_HEADER];
  if (typeof raw !== 'string' || raw === '') return null;
  try {
    const name = path.basename(decodeURIComponent(raw));
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
    return name.replace(/[\x00-\x1f\x7f]/g, '_').slice(0, 255) || null;
  } catch {
    return null;
  }
}

function tooLarge(max: number): string {
  return `The upload is larger than this host takes (${max} bytes); nothing was kept.`;
}

function sendError(res: ServerResponse, status: number, kind: ErrorKind, message: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ ok: false, error: { kind, message } }));
}
