import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/**
 * Writes a docker config directory the way the docker CLI does (`docker context create`,
 * `docker context use`): contexts/meta/<sha256(name)>/meta.json and contexts/tls/<sha256>/docker/*.pem.
 */
export function writeDockerContext(
  configDir: string,
  name: string,
  host: string,
  options: { skipTLSVerify?: boolean; tls?: { ca?: string; cert?: string; key?: string } } = {},
): void {
  const id = createHash('sha256').update(name).digest('hex');
  const metaDir = path.join(configDir, 'contexts', 'meta', id);
  mkdirSync(metaDir, { recursive: true, mode: 0o755 });
  const meta = {
    Name: name,
    Metadata: { Description: `test context ${name}` },
    Endpoints: { docker: { Host: host, SkipTLSVerify: options.skipTLSVerify ?? false } },
  };
  writeFileSync(path.join(metaDir, 'meta.json'), JSON.stringify(meta), { mode: 0o644 });
  if (options.tls) {
    const tlsDir = path.join(configDir, 'contexts', 'tls', id, 'docker');
    mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
    for (const [kind, pem] of Object.entries(options.tls)) {
      if (pem !== undefined) writeFileSync(path.join(tlsDir, `${kind}.pem`), pem, { mode: 0o600 });
    }
  }
}

/** `docker context use <name>`: sets currentContext in config.json. */
export function useDockerContext(configDir: string, name: string): void {
  mkdirSync(configDir, { recursive: true });
  writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ auths: {}, currentContext: name }, null, '\t'));
}

/** A unix socket that answers GET /_ping like an engine (or with `status`); close() removes it. */
export async function fakeEngineSocket(socketPath: string, status = 200): Promise<{ close: () => Promise<void> }> {
  mkdirSync(path.dirname(socketPath), { recursive: true });
  const server = http.createServer((request, response) => {
    response.writeHead(request.url === '/_ping' ? status : 404, { 'Content-Type': 'text/plain' });
    response.end(request.url === '/_ping' && status === 200 ? 'OK' : 'no');
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
