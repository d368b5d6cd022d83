import { defineCommand, stringOption, UsageError } from '../command';
import { table } from '../format';
import { followJob } from '../progress';
import type { CloneResult } from '../../../shared/restore-types';

export const cloneCommand = defineCommand<CloneResult>({
  name: 'clone',
  usage: 'volsnap clone <snapshot> (--volume <snapshot volume> --to <new volume> | --suffix <suffix>)',
  summary: 'Put a snapshot into new volumes (labelled io.volsnap.cloned-from); touches no existing volume',
  options: {
    volume: { type: 'string' },
    to: { type: 'string' },
    suffix: { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  mutating: true,
  async run(ctx, args) {
    const volume = stringOption(args, 'volume');
    const to = stringOption(args, 'to');
    const suffix = stringOption(args, 'suffix');
    if ((volume === undefined || to === undefined) && suffix === undefined)
      throw new UsageError('clone needs --volume <snapshot volume> --to <new volume>, or --suffix <suffix>');
    const services = ctx.services();
    const handle = await services.clone.start({ snapshot: args.positionals[0]!, volume, to, suffix });
    return followJob(services, handle, ctx.stderr);
  },
  human: (result) =>
    [
      `Cloned snapshot ${result.snapshotId} into ${result.volumes.length} new volume${result.volumes.length === 1 ? '' : 's'}:`,
      table(
        ['SNAPSHOT VOLUME', 'NEW VOLUME'],
        result.volumes.map((v) => [v.from, v.to]),
      ),
    ].join('\n'),
});
