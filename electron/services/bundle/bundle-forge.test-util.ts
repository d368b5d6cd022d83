import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Header, Pax, type HeaderData } from 'tar';
import { compress } from 'zstd-napi';
import type { BundleDoc } from './bundle-doc';
import { BUNDLE_FORMAT, BUNDLE_JSON, BUNDLE_VERSION, streamEntryName } from './bundle-format';
import { entryHeader, padding } from './bundle-writer';
import { ManifestTap } from '../manifest-tap';
import type { ManifestEntry } from '../../../shared/types';

/**
 * Test-only forger of bundles and tar archives, hostile or not, built byte by byte with tar's own
 * header encoder (no checked-in blobs): what an attacker could hand `volsnap import`.
 */

export interface RawEntry {
  /** The path as written in the header (a volume's entries sit under `<volume>/`). */
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'FIFO' | 'CharacterDevice' | 'BlockDevice';
  body?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  linkpath?: string;
  /** Overrides the size in the ustar header (the body is written as given). */
  headerSize?: number;
  /** PAX records written before the header, overriding its fields. */
  pax?: { path?: string; linkpath?: string; size?: number };
  /** Written as a GNU long-name (`L`) record before the header, whose own name is then `header.path`. */
  gnuLongPath?: string;
}

const ZEROS = Buffer.alloc(1024);

export function rawTar(entries: RawEntry[], options: { trailer?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'File';
    const body = Buffer.from(e.body ?? '');
    if (e.gnuLongPath !== undefined) {
      const name = Buffer.from(`${e.gnuLongPath}\0`);
      parts.push(
        block({ path: '././@LongLink', type: 'NextFileHasLongPath', size: name.length }),
        name,
        padding(name.length),
      );
    }
    if (e.pax) parts.push(new Pax({ ...e.pax, mtime: new Date(0) }).encode());
    const fields = {
      path: e.path,
      type,
      mode: e.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      size: e.headerSize ?? (type === 'File' ? body.length : 0),
      mtime: new Date(1_700_000_000_000),
      linkpath: e.linkpath,
    };
    parts.push(block(fields));
    if (body.length > 0) parts.push(body, padding(body.length));
  }
  if (options.trailer !== false) parts.push(ZEROS);
  return Buffer.concat(parts);
}

function block(fields: HeaderData & { path: string }): Buffer {
  const header = new Header(fields);
  if (!header.encode()) return header.block!;
  return Buffer.concat([new Pax({ path: fields.path, linkpath: fields.linkpath }).encode(), header.block!]);
}

/** The manifest a capture would record for this tar (through the real ManifestTap), first row per path. */
export async function manifestOf(tar: Buffer, rootName: string): Promise<ManifestEntry[]> {
  // A forged archive may name entries outside the volume's folder: describe them, don't refuse them here.
  const tap = new ManifestTap(rootName, undefined, { refuseOutsideRoot: false });
  await pipeline(Readable.from([tar]), tap, new Writable({ write: (_c, _e, cb) => cb() }));
  const byPath = new Map<string, ManifestEntry>();
  for (const entry of tap.result().entries) if (!byPath.has(entry.path)) byPath.set(entry.path, entry);
  return [...byPath.values()];
}

export interface ForgedVolume {
  name: string;
  /** The zstd stream as it goes in the bundle. */
  stream: Buffer;
  manifest: ManifestEntry[];
}

export async function forgedVolume(
  name: string,
  entries: RawEntry[],
  options: { manifest?: ManifestEntry[]; stream?: (tar: Buffer) => Buffer } = {},
): Promise<ForgedVolume> {
  const tar = rawTar(entries);
  const manifest = options.manifest ?? (await manifestOf(tar, name));
  return { name, stream: options.stream ? options.stream(tar) : compress(tar), manifest };
}

/** A sound little volume: root, a folder, a file, a symlink, a hardlink. */
export function plainEntries(root: string): RawEntry[] {
  return [
    { path: `${root}/`, type: 'Directory' },
    { path: `${root}/etc/`, type: 'Directory' },
    { path: `${root}/etc/app.conf`, body: 'port=5432\n' },
    { path: `${root}/current`, type: 'SymbolicLink', linkpath: 'etc/app.conf' },
    { path: `${root}/etc/copy`, type: 'Link', linkpath: `${root}/etc/app.conf` },
  ];
}

export function docOf(volumes: ForgedVolume[]): BundleDoc {
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    exportedAt: new Date().toISOString(),
    snapshot: {
      id: 'a1b2c3d4e5f60718',
      name: 'forged',
      note: '',
      workloadId: 'compose:forged-nowhere',
      workloadName: 'forged-nowhere',
      createdAt: new Date().toISOString(),
      trigger: 'manual',
      mode: 'live',
      engineId: null,
      engineName: null,
      provenance: null,
    },
    volumes: volumes.map((v, position) => ({
      volumeName: v.name,
      owner: '',
      mountDestination: '',
      sizeBytes: v.manifest.filter((e) => e.type === 'file').reduce((sum, e) => sum + e.size, 0),
      fileCount: v.manifest.filter((e) => e.type === 'file').length,
      stream: {
        entry: streamEntryName(position, v.name),
        sha256: createHash('sha256').update(v.stream).digest('hex'),
        sizeBytes: v.stream.length,
      },
      manifest: v.manifest,
    })),
  };
}

/** The bundle file: volsnap.json (or `json` as given), then each stream, then `extra` entries. */
export function bundleOf(
  doc: BundleDoc | string,
  streams: Buffer[],
  options: { extra?: Buffer[]; firstEntry?: string } = {},
): Buffer {
  const json = Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc));
  const names =
    typeof doc === 'string' ? streams.map((_, i) => `volumes/${i}-x.tar.zst`) : doc.volumes.map((v) => v.stream.entry);
  const parts = [entryHeader(options.firstEntry ?? BUNDLE_JSON, json.length, new Date()), json, padding(json.length)];
  streams.forEach((stream, i) =>
    parts.push(entryHeader(names[i]!, stream.length, new Date()), stream, padding(stream.length)),
  );
  parts.push(...(options.extra ?? []), ZEROS);
  return Buffer.concat(parts);
}

/** A bundle of the given volumes with a consistent volsnap.json (`edit` may change it afterwards). */
export function bundleOfVolumes(volumes: ForgedVolume[], edit: (doc: BundleDoc) => void = () => undefined): Buffer {
  const doc = docOf(volumes);
  edit(doc);
  return bundleOf(
    doc,
    volumes.map((v) => v.stream),
  );
}
