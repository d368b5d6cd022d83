import { parentPort, workerData } from 'node:worker_threads';
import type { FromLayerWorker, LayerWorkerData, ToLayerWorker } from './layer-worker-protocol';
import { copyVerified, entryHeader, padding } from '../bundle/bundle-writer';
import { readerForDataDir } from '../stored-volumes/stored-volume-reader';
import { TransferPacker } from '../transfer-packer';
import { VolsnapError } from '../../../shared/errors';

// Worker-thread entry (bundled to dist/layer-worker.cjs): reading a snapshot's stored volumes,
// checking every chunk and hashing every stream takes seconds of CPU. Here it overlaps with the
// main thread's writes of the layer to the Engine instead of alternating with them.

const port = parentPort!;
const send = (message: FromLayerWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
// 4 MiB a message: the Engine's import reads the layer in large pieces.
const packer = new TransferPacker((data, length) => send({ type: 'data', data, length }, [data]), {
  bufferBytes: 4 * 1024 * 1024,
  highWater: 16 * 1024 * 1024,
  lowWater: 8 * 1024 * 1024,
});
port.on('message', (message: ToLayerWorker) => packer.acked(message.bytes));

async function writeStreams({ dataDir, snapshotId, mtime, streams }: LayerWorkerData): Promise<string[]> {
  const reader = readerForDataDir(dataDir);
  const write = (data: Buffer) =>
    packer.send(data) ? Promise.resolve() : new Promise<void>((resume) => packer.onDrain(resume));
  const sha256s: string[] = [];
  for (const stream of streams) {
    const sized = await reader.sized(snapshotId, stream.volume);
    await write(entryHeader(stream.path, stream.sizeBytes, new Date(mtime)));
    sha256s.push(await copyVerified({ ...stream, entry: stream.path, open: () => sized.open() }, write, 'pushed'));
    await write(padding(stream.sizeBytes));
  }
  packer.flush();
  return sha256s;
}

writeStreams(workerData as LayerWorkerData).then(
  (sha256s) => send({ type: 'done', sha256s }),
  (error: Error) =>
    send({ type: 'error', message: error.message, kind: error instanceof VolsnapError ? error.kind : null }),
);
