import { defineCommand } from '../command';
import { humanBytes } from '../format';
import { VolsnapError } from '../../../shared/errors';

export const gcCommand = defineCommand({
  name: 'gc',
  usage: 'volsnap gc',
  summary: 'Free the stored chunks no snapshot uses (also runs after delete and prune)',
  positionals: { min: 0, max: 0 },
  mutating: true,
  freesSpace: true,
  run: async (ctx) => {
    const report = await ctx.services().gc.runIfIdle();
    if (report) return report;
    throw new VolsnapError(
      'Conflict',
      'A capture, restore or other job is running on this store; run `volsnap gc` again when it has finished.',
    );
  },
  human: (r) =>
    `Freed ${humanBytes(r.bytesBefore - r.bytesAfter)}: ${r.deadChunks} unused chunks, ${r.removedPacks} packs removed, ` +
    `${r.repackedPacks} repacked; the chunk store now holds ${humanBytes(r.bytesAfter)}.`,
});
