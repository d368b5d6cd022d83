import { entryHeader, padding } from './bundle-writer';

/** What surrounds a stream in a tar: its entry header (a PAX record first for a long name) and its padding. */
export function streamFile(stream: { path: string; sizeBytes: number }, mtime: string) {
  return { header: entryHeader(stream.path, stream.sizeBytes, new Date(mtime)), padding: padding(stream.sizeBytes) };
}
