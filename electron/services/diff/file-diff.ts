import { createTwoFilesPatch } from 'diff';
import { changesBetween } from './manifest-diff';
import type { FileSide } from './file-sources';
import { VolsnapError } from '../../../shared/errors';
import type { FileDiff } from '../../../shared/diff-types';
import type { ManifestEntry } from '../../../shared/types';

/** Files larger than this are compared by size and sha256 only. */
export const MAX_TEXT_BYTES = 1024 * 1024;

/** jsdiff is O(N·D): give up on a pathological pair rather than hang the app. */
const PATCH_TIMEOUT_MS = 5_000;

export interface FileDiffInput {
  path: string;
  volumeName: string;
  before: FileSide | null;
  after: FileSide | null;
  /** How each side is named in the patch header: a snapshot's name, or `current`. */
  beforeLabel: string;
  afterLabel: string;
}

/** True when the content of this side is needed to decide on a text diff. */
export function wantsContent(side: ManifestEntry | null, other: ManifestEntry | null): boolean {
  const small = (e: ManifestEntry | null) => e === null || (e.type === 'file' && e.size <= MAX_TEXT_BYTES);
  if (side === null || !small(side) || !small(other)) return false;
  return other === null || changesBetween(side, other).length > 0;
}

/** Builds the diff of one path from its two sides (null: absent on that side). */
export function buildFileDiff(input: FileDiffInput): FileDiff {
  const { path, volumeName, before, after } = input;
  if (before === null && after === null) {
    throw new VolsnapError('NotFound', `"${path}" is in neither side of volume ${volumeName}.`);
  }
  if (before?.entry.type === 'dir' && after?.entry.type === 'dir') {
    throw new VolsnapError(
      'InvalidInput',
      `"${path}" is a directory; a file diff compares files and links. Run the volume diff to see what changed inside it.`,
    );
  }
  if (before && after && changesBetween(before.entry, after.entry).length === 0) {
    return { kind: 'same', path, volumeName };
  }
  const oldText = asText(before);
  const newText = asText(after);
  if (oldText !== null && newText !== null) {
    const unified = createTwoFilesPatch(
      before ? `a/${path}` : '/dev/null',
      after ? `b/${path}` : '/dev/null',
      oldText,
      newText,
      input.beforeLabel,
      input.afterLabel,
      { context: 3, timeout: PATCH_TIMEOUT_MS },
    );
    if (unified !== undefined) return { kind: 'text', path, volumeName, unified };
  }
  const facts = (side: FileSide | null) => side && { size: side.entry.size, sha256: side.entry.sha256 };
  return { kind: 'binary', path, volumeName, before: facts(before), after: facts(after) };
}

/** The side as text: '' when absent, null when it is not a readable UTF-8 text file. */
export function asText(side: FileSide | null): string | null {
  if (side === null) return '';
  if (side.entry.type !== 'file' || side.content === null) return null;
  if (side.content.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(side.content);
  } catch {
    return null;
  }
}
