import { parentPort, workerData } from 'node:worker_threads';
import type {
  FromStreamFilesWorker,
  StreamFilesData,
  StreamFilesSource,
  ToStreamFilesWorker,
} from './stream-files-protocol';
import { streamFile } from './stream-file';
import { copySized, streamMismatch } from './bundle-writer';
import type { ListLocations } from '../chunked/list-locations';
import { readerForDataDir, type SizedTar } from '../stored-volumes/stored-volume-reader';
import { TransferPacker } from '../transfer-packer';
import { VolsnapError } from '../../../shared/errors';

// Worker-thread entry (bundled to dist/stream-files-worker.cjs): reading a snapshot's stored
// volumes and checking every chunk takes seconds of CPU. Here it overlaps with the main thread's
// work (hashing each stream, writing to the Engine for a push or to the file for an export)
// instead of alternating with it.

const port = parentPort!;
const send = (message: FromStreamFilesWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
// 4 MiB a message: the Engine's import and the file take large pieces.
const packer = new TransferPacker((data, length) => send({ type: 'data', data, length }, [data]), {
  bufferBytes: 4 * 1024 * 1024,
  highWater: 16 * 1024 * 1024,
  lowWater: 8 * 1024 * 1024,
});
const source = workerData as StreamFilesSource;
const reader = readerForDataDir(source.dataDir);
let onLocations: (locations: ListLocations | null) => void = () => undefined;
const known = source.locationsFollow
  ? new Promise<ListLocations | null>((resolve) => (onLocations = resolve))
  : Promise.resolve(null);
// Opened at once, while the main thread builds its document (and looks the chunks up): no chunk is read yet.
const opened = (async () => {
  const tars: SizedTar[] = [];
  for (const volume of source.volumes) tars.push(await reader.sized(source.snapshotId, volume, known));
  return tars;
})();
opened.then(
  (tars) => send({ type: 'opened', streams: tars.map(({ sizeBytes, sha256 }) => ({ sizeBytes, sha256 })) }),
  failed,
);

port.on('message', (message: ToStreamFilesWorker) => {
  if (message.type === 'ack') return packer.acked(message.bytes, message.handedBack);
  if (message.type === 'locations') return onLocations(message.locations);
  void run(message.data);
});

async function run(data: StreamFilesData): Promise<void> {
  try {
    const rests = await writeStreams(data);
    send({ type: 'done' });
    for (const checkRest of rests) await checkRest();
    if (data.checkLater) send({ type: 'checked' });
  } catch (error) {
    failed(error as Error);
  }
}

/** Sends every stream; returns the checks left for after them (`checkLater`). */
async function writeStreams({ mtime, streams, outcome, checkLater }: StreamFilesData) {
  const tars = await opened;
  const write = (data: Buffer) =>
    packer.send(data) ? Promise.resolve() : new Promise<void>((resume) => packer.onDrain(resume));
  const rests: (() => Promise<void>)[] = [];
  for (const [i, stream] of streams.entries()) {
    const tar = tars[i]!;
    if (tar.sizeBytes !== stream.sizeBytes) throw streamMismatch(stream.path, outcome);
    const reading = checkLater ? tar.openCheckingLater() : { bytes: tar.open(), checkRest: null };
    if (reading.checkRest) rests.push(reading.checkRest);
    const { header, padding } = streamFile(stream, mtime);
    await write(header);
    await copySized({ ...stream, entry: stream.path, open: () => reading.bytes }, write, outcome);
    await write(padding);
  }
  packer.flush();
  return rests;
}

function failed(error: Error): void {
  send({ type: 'error', message: error.message, kind: error instanceof VolsnapError ? error.kind : null });
}
