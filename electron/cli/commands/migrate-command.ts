import { defineCommand } from '../command';
import { humanBytes } from '../format';
import { VolsnapError } from '../../../shared/errors';

export const migrateCommand = defineCommand({
  name: 'migrate',
  usage: 'volsnap migrate',
  summary: 'Convert snapshots stored before deduplication to chunks now (the app does it in the background)',
  positionals: { min: 0, max: 0 },
  mutating: true,
  run: async (ctx) => {
    const report = await ctx.services().migration.run();
    if (!report.busy) return report;
    throw new VolsnapError(
      'Conflict',
      'Another Volsnap process is converting or cleaning up this store; run `volsnap migrate` again when it has finished.',
    );
  },
  human: (r) =>
    [
      `Converted ${r.converted} volumes to deduplicated chunks, freeing ${humanBytes(r.freedBytes)} of old archives; ${r.remaining} left.`,
      ...r.skipped.map((line) => `  left ${line}`),
    ].join('\n'),
});
