// The least a re-capture does, in the runtime Volsnap runs in: one Node thread reads a volume's tar
// from the Engine's archive endpoint and hashes every byte where it lands, storing nothing (a
// re-capture must hash every file: the Engine's tar has whole-second times and no ctime).
// Usage: node scripts/bench-node-hash.mjs <engine socket> <archive path> — prints the sha256.
import { createHash } from 'node:crypto';
import http from 'node:http';

const [socketPath, path] = process.argv.slice(2);
if (!socketPath || !path) throw new Error('usage: bench-node-hash.mjs <engine socket> <archive path>');
const hash = createHash('sha256');
http
  .get({ socketPath, path }, (res) => {
    if (res.statusCode !== 200) throw new Error(`the Engine answered ${res.statusCode}`);
    res.on('data', (piece) => hash.update(piece));
    res.on('end', () => console.log(hash.digest('hex')));
  })
  .on('error', (error) => {
    throw error;
  });
