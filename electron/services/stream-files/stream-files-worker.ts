import { parentPort, workerData } from 'node:worker_threads';
import type { FromStreamFilesWorker, StreamFilesData, ToStreamFilesWorker } from './stream-files-protocol';
import { streamFile } from './stream-file';
import { copySized } from '../bundle/bundle-writer';
import { readerForDataDir } from '../stored-volumes/stored-volume-reader';
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
port.on('message', (message: ToStreamFilesWorker) => packer.acked(message.bytes));

async function writeStreams({ dataDir, snapshotId, mtime, streams, outcome }: StreamFilesData): Promise<void> {
  const reader = readerForDataDir(dataDir);
  const write = (data: Buffer) =>
    packer.send(data) ? Promise.resolve() : new Promise<void>((resume) => packer.onDrain(resume));
  for (const stream of streams) {
    const sized = await reader.sized(snapshotId, stream.volume);
    const { header, padding } = streamFile(stream, mtime);
    await write(header);
    await copySized({ ...stream, entry: stream.path, open: () => sized.open() }, write, outcome);
    await write(padding);
  }
  packer.flush();
}

writeStreams(workerData as StreamFilesData).then(
  () => send({ type: 'done' }),
  (error: Error) =>
    send({ type: 'error', message: error.message, kind: error instanceof VolsnapError ? error.kind : null }),
);
