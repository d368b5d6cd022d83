import { z } from 'zod';
import {
  assertNameFits,
  BUNDLE_FORMAT,
  BUNDLE_JSON,
  BUNDLE_VERSION,
  DOCKER_VOLUME_NAME,
  LIMITS,
  refused,
  streamEntryName,
} from './bundle-format';
import { CAPTURE_MODES } from '../../../shared/types';
import { VolsnapError } from '../../../shared/errors';

// volsnap.json's schema, apart from the bundle's names and limits (bundle-format.ts): what writes a
// bundle (an export's stream-files worker) then never loads zod, 0.1 s of every export's start.

/**
 * The schema is built on first use, not at load: the CLI loads every command module at start, and
 * building zod schemas then would load zod for `volsnap list` too (cli-startup.test.ts).
 */
function buildBundleDocSchema() {
  const text = (max: number) => z.string().max(max);
  const noNul = (max: number) =>
    z
      .string()
      .min(1)
      .max(max)
      .refine((s) => !s.includes('\0'), 'contains a NUL byte')
      .refine((s) => Buffer.byteLength(s) <= max, `is longer than ${max} bytes`);
  const count = z.number().int().nonnegative().max(LIMITS.streamBytes);
  const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'is not a sha256 in hex');

  const ManifestEntrySchema = z.strictObject({
    path: noNul(LIMITS.pathBytes),
    type: z.enum(['file', 'dir', 'symlink', 'hardlink', 'other']),
    size: count,
    mode: z.number().int().min(0).max(0o7777),
    uid: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1),
    gid: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1),
    mtime: z
      .number()
      .int()
      .min(-(2 ** 40))
      .max(2 ** 40),
    sha256: sha256.nullable(),
    linkTarget: noNul(LIMITS.pathBytes).nullable(),
  });

  const ProvenanceSchema = z.object({
    engineVersion: text(200),
    engineHost: text(2000),
    containers: z
      .array(
        z.object({
          name: text(300),
          service: text(300).nullable(),
          image: text(2000),
          imageId: text(300),
          imageDigest: text(2000).nullable(),
          state: text(100),
        }),
      )
      .max(1000),
    mounts: z.array(z.object({ volumeName: text(300), containerName: text(300), destination: text(4096) })).max(1000),
  });

  const VolumeSchema = z.strictObject({
    volumeName: z.string().regex(DOCKER_VOLUME_NAME, 'is not a volume name Docker accepts'),
    owner: text(300),
    mountDestination: text(4096),
    sizeBytes: count,
    fileCount: count,
    stream: z.strictObject({ entry: text(300), sha256, sizeBytes: count }),
    manifest: z.array(ManifestEntrySchema).min(1),
  });

  return z.strictObject({
    format: z.literal(BUNDLE_FORMAT),
    version: z.literal(BUNDLE_VERSION),
    exportedAt: z.iso.datetime(),
    snapshot: z.strictObject({
      id: z.string().regex(/^[0-9a-f]{16}$/),
      name: text(200).min(1),
      note: text(10_000),
      workloadId: text(300).min(1),
      workloadName: text(300).min(1),
      createdAt: z.iso.datetime(),
      trigger: text(40),
      mode: z.enum(CAPTURE_MODES),
      engineId: text(300).nullable(),
      engineName: text(300).nullable(),
      provenance: ProvenanceSchema.nullable(),
    }),
    volumes: z.array(VolumeSchema).min(1).max(LIMITS.volumes),
  });
}

let bundleDocSchema: ReturnType<typeof buildBundleDocSchema> | undefined;
function BundleDocSchema(): ReturnType<typeof buildBundleDocSchema> {
  return (bundleDocSchema ??= buildBundleDocSchema());
}

export type BundleDoc = z.infer<ReturnType<typeof buildBundleDocSchema>>;
export type BundleVolume = BundleDoc['volumes'][number];

/**
 * Parses and checks volsnap.json: the format and version first (so a newer bundle gets a clear
 * "update Volsnap" message), then the whole schema, then what the schema cannot say.
 */
export function parseBundleDoc(bytes: Buffer): BundleDoc {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw refused(`its ${BUNDLE_JSON} is not valid JSON (${(error as Error).message})`);
  }
  const head = raw as { format?: unknown; version?: unknown } | null;
  if (typeof head !== 'object' || head === null || head.format !== BUNDLE_FORMAT)
    throw refused(`its ${BUNDLE_JSON} does not describe a Volsnap bundle`);
  if (head.version !== BUNDLE_VERSION)
    throw new VolsnapError(
      'Unsupported',
      `This bundle has format version ${JSON.stringify(head.version)}; this Volsnap reads version ${BUNDLE_VERSION}. Update Volsnap on this machine, or export again with the same version.`,
    );
  const parsed = BundleDocSchema().safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw refused(`its ${BUNDLE_JSON} is malformed at ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  for (const [position, volume] of parsed.data.volumes.entries()) checkVolumeDoc(position, volume);
  const names = parsed.data.volumes.map((v) => v.volumeName);
  if (new Set(names).size !== names.length) throw refused('it lists a volume twice');
  return parsed.data;
}

/** What zod cannot say: the stream's entry name, counts that match the manifest, no duplicate paths. */
function checkVolumeDoc(position: number, volume: BundleVolume): void {
  const name = volume.volumeName;
  if (volume.stream.entry !== streamEntryName(position, name))
    throw refused(`volume ${name}'s stream must be named ${streamEntryName(position, name)}`);
  const seen = new Set<string>();
  let files = 0;
  let bytes = 0;
  for (const entry of volume.manifest) {
    if (seen.has(entry.path)) throw refused(`volume ${name} lists ${JSON.stringify(entry.path)} twice`);
    seen.add(entry.path);
    assertNameFits(entry.path);
    if (entry.type === 'file') {
      if (entry.sha256 === null) throw refused(`volume ${name}: file ${JSON.stringify(entry.path)} has no sha256`);
      files++;
      bytes += entry.size;
    } else if (entry.size !== 0) {
      throw refused(`volume ${name}: ${JSON.stringify(entry.path)} is a ${entry.type} with a size`);
    }
  }
  if (files !== volume.fileCount || bytes !== volume.sizeBytes)
    throw refused(`volume ${name}'s file count or size disagrees with its manifest`);
}
