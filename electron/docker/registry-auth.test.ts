import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fullReference, parseImageReference } from './image-reference';
import { findRegistryAuth, registryAuthError, runCredentialHelper, type HelperRun } from './registry-auth';
import { tempDir } from '../../test/engine';

const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

function configDir(config: object): string {
  const dir = tempDir('volsnap-auth-');
  dirs.push(dir);
  writeFileSync(path.join(dir.path, 'config.json'), JSON.stringify(config));
  return dir.path;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const env = (dir: string) => ({ DOCKER_CONFIG: dir });

describe('finding registry credentials as the docker CLI does', () => {
  it('reads auths[registry].auth (base64 user:password), as docker login writes it', async () => {
    const dir = configDir({ auths: { 'reg.example:5000': { auth: b64('ann:pa:ss') } } });
    expect(await findRegistryAuth('reg.example:5000', { env: env(dir) })).toEqual({
      serveraddress: 'reg.example:5000',
      username: 'ann',
      password: 'pa:ss',
    });
  });

  it('matches keys written as URLs and the Docker Hub key', async () => {
    const dir = configDir({
      auths: {
        'https://ghcr.io/v2/': { username: 'bob', password: 'tok' },
        'https://index.docker.io/v1/': { auth: b64('hub:pw') },
      },
    });
    expect(await findRegistryAuth('ghcr.io', { env: env(dir) })).toMatchObject({ username: 'bob', password: 'tok' });
    expect(await findRegistryAuth('docker.io', { env: env(dir) })).toEqual({
      serveraddress: 'https://index.docker.io/v1/',
      username: 'hub',
      password: 'pw',
    });
  });

  it('defaults to ~/.docker/config.json without DOCKER_CONFIG, and finds nothing without a config', async () => {
    const home = tempDir('volsnap-home-');
    dirs.push(home);
    expect(await findRegistryAuth('reg.example', { env: {}, home: home.path })).toBeNull();
    mkdirSync(path.join(home.path, '.docker'));
    writeFileSync(
      path.join(home.path, '.docker', 'config.json'),
      JSON.stringify({ auths: { 'reg.example': { auth: b64('u:p') } } }),
    );
    expect(await findRegistryAuth('reg.example', { env: {}, home: home.path })).toMatchObject({ username: 'u' });
  });

  it('asks credHelpers[registry] first, then credsStore, never the auths entry when a helper is set', async () => {
    const asked: string[] = [];
    const runHelper = async (helper: string, server: string): Promise<HelperRun> => {
      asked.push(`${helper} ${server}`);
      return { code: 0, stdout: JSON.stringify({ ServerURL: server, Username: helper, Secret: 's' }), stderr: '' };
    };
    const dir = configDir({
      auths: { 'a.example': { auth: b64('file:pw') }, 'b.example': { auth: b64('file:pw') } },
      credsStore: 'store',
      credHelpers: { 'a.example': 'special' },
    });
    expect(await findRegistryAuth('a.example', { env: env(dir), runHelper })).toMatchObject({ username: 'special' });
    expect(await findRegistryAuth('b.example', { env: env(dir), runHelper })).toMatchObject({ username: 'store' });
    expect(asked).toEqual(['special a.example', 'store b.example']);
  });

  it('treats a helper\'s "credentials not found" as none, and "<token>" as an identity token', async () => {
    const dir = configDir({ credsStore: 'store' });
    const notFound = async () => ({ code: 1, stdout: 'credentials not found in native keychain\n', stderr: '' });
    expect(await findRegistryAuth('x.example', { env: env(dir), runHelper: notFound })).toBeNull();
    const token = async () => ({ code: 0, stdout: '{"Username":"<token>","Secret":"refresh"}', stderr: '' });
    expect(await findRegistryAuth('x.example', { env: env(dir), runHelper: token })).toEqual({
      serveraddress: 'x.example',
      identitytoken: 'refresh',
    });
  });

  it('names a credential helper that is not installed', async () => {
    const dir = configDir({ credsStore: 'volsnap-missing-helper' });
    await expect(findRegistryAuth('x.example', { env: env(dir) })).rejects.toMatchObject({
      kind: 'Unsupported',
      message: expect.stringMatching(
        /"volsnap-missing-helper" \(credsStore\).*docker-credential-volsnap-missing-helper is not installed/s,
      ) as string,
    });
  });

  it('runs a real helper program with the server address on stdin', async () => {
    const bin = tempDir('volsnap-helper-');
    dirs.push(bin);
    const script = path.join(bin.path, 'docker-credential-volsnapunit');
    writeFileSync(
      script,
      '#!/bin/sh\nread -r s\nprintf \'{"ServerURL":"%s","Username":"u-%s","Secret":"x"}\' "$s" "$s"\n',
    );
    chmodSync(script, 0o755);
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin.path}:${oldPath}`;
    try {
      const dir = configDir({ credHelpers: { 'reg.example': 'volsnapunit' } });
      expect(await findRegistryAuth('reg.example', { env: env(dir) })).toMatchObject({ username: 'u-reg.example' });
      expect((await runCredentialHelper('volsnapunit', 'other')).stdout).toContain('u-other');
    } finally {
      process.env.PATH = oldPath;
    }
  });

  it('leaves nothing running once a missing helper is reported (the CLI exits at once, not after the timeout)', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    await expect(runCredentialHelper('volsnap-missing-helper', 'reg.example')).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(timers()).toBe(before);
  });

  it('uses --username/--password-stdin as given, without reading the config', async () => {
    const dir = configDir({ credsStore: 'volsnap-missing-helper' });
    expect(
      await findRegistryAuth('reg.example', { env: env(dir), explicit: { username: 'ci', password: 'secret' } }),
    ).toEqual({ serveraddress: 'reg.example', username: 'ci', password: 'secret' });
  });

  it('refuses a config that is not JSON, naming the file', async () => {
    const dir = tempDir('volsnap-auth-');
    dirs.push(dir);
    writeFileSync(path.join(dir.path, 'config.json'), '{ not json');
    await expect(findRegistryAuth('reg.example', { env: env(dir.path) })).rejects.toMatchObject({
      kind: 'InvalidInput',
      message: expect.stringContaining(path.join(dir.path, 'config.json')) as string,
    });
  });
});

describe('auth failures and references', () => {
  it('says which registry refused and how to log in', () => {
    const error = registryAuthError('127.0.0.1:5000', 'no basic auth credentials', false);
    expect(error?.message).toContain('The registry 127.0.0.1:5000 asks for credentials');
    expect(error?.message).toContain('docker login 127.0.0.1:5000');
    expect(registryAuthError('docker.io', 'unauthorized: incorrect username or password', true)?.message).toContain(
      '`docker login`',
    );
    expect(registryAuthError('x', 'manifest unknown', true)).toBeNull();
  });

  it('parses references with the docker CLI rules', () => {
    expect(parseImageReference('alpine')).toMatchObject({
      registry: 'docker.io',
      repository: 'library/alpine',
      tag: null,
    });
    expect(parseImageReference('127.0.0.1:5000/team/db:monday')).toMatchObject({
      registry: '127.0.0.1:5000',
      repository: 'team/db',
      tag: 'monday',
    });
    expect(parseImageReference('localhost/snap')).toMatchObject({ registry: 'localhost', repository: 'snap' });
    expect(fullReference(parseImageReference('ghcr.io/acme/snap'))).toBe('ghcr.io/acme/snap:latest');
    expect(() => parseImageReference('Bad/Name')).toThrow(/not an image reference/);
    expect(() => parseImageReference('reg:5000/x:bad tag')).toThrow(/tag/);
  });
});
