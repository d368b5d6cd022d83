import { defineCommand, stringOption } from '../command';
import { table } from '../format';
import { listEngineCandidates, type EngineCandidate } from '../../docker/engine-candidates';
import { configFilePath, readEngineSetting } from '../../services/data-dir-pointer';

/** `volsnap engines`: every engine Volsnap could use, the current one marked, each asked for its id. */
export const enginesCommand = defineCommand<EngineCandidate[]>({
  name: 'engines',
  usage: 'volsnap engines  (choose one with --context NAME or volsnap config set engine <name or URL>)',
  summary: 'List the Docker engines Volsnap can use and which one it uses',
  positionals: { min: 0, max: 0 },
  mutating: false,
  async run(_ctx, args) {
    return listEngineCandidates({
      context: stringOption(args, 'context'),
      setting: readEngineSetting(configFilePath()),
    });
  },
  human: (engines) =>
    table(
      ['', 'NAME', 'SOURCE', 'ENDPOINT', 'VERSION', 'ENGINE ID', 'STATUS'],
      engines.map((e) => [
        e.current ? '*' : '',
        e.name,
        e.source,
        e.endpoint,
        e.version ?? '',
        e.engineId ?? '',
        e.reachable ? 'reachable' : (e.error ?? 'unreachable'),
      ]),
    ),
});
