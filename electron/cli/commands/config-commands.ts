import path from 'node:path';
import { defineCommand, UsageError, type CliContext } from '../command';
import { defaultDataDir } from '../../services/data-dir';
import { DEFAULT_CONTEXT, dockerConfigDir, readContext } from '../../docker/docker-contexts';
import { checkEndpointUrl, isEndpointUrl } from '../../docker/engine-resolve';
import {
  assertWritableDataDir,
  configFilePath,
  readEngineSetting,
  writeDataDirPointer,
  writeEngineSetting,
} from '../../services/data-dir-pointer';
import { SETTING_KEYS, type SettingKey } from '../../../shared/settings';

/** `dataDir` and `engine` live outside the catalog (config.json); every other key is a catalog setting. */
const DATA_DIR = 'dataDir';
const ENGINE = 'engine';
const ALL_KEYS = [DATA_DIR, ENGINE, ...SETTING_KEYS];

type ConfigValues = Record<string, unknown>;

const USAGE = 'volsnap config get [<key>] | volsnap config set <key> <value>  (value parsed as JSON when it parses)';

/** `volsnap config get [key]` and `volsnap config set <key> <value>`. */
export const configCommand = defineCommand<ConfigValues>({
  name: 'config',
  usage: USAGE,
  summary: `Show or change settings (${ALL_KEYS.join(', ')})`,
  positionals: { min: 1, max: 3 },
  mutating: false,
  async run(ctx, args) {
    const [action, key, raw] = args.positionals;
    if (action === 'get' && raw === undefined) return getValues(ctx, key);
    if (action === 'set' && key !== undefined && raw !== undefined) return setValue(ctx, key, raw);
    throw new UsageError(`expected "config get [<key>]" or "config set <key> <value>".\nUsage: ${USAGE}`);
  },
  human: (values) =>
    Object.entries(values)
      .map(([key, value]) => `${key.padEnd(18)} ${JSON.stringify(value)}`)
      .join('\n'),
});

function getValues(ctx: CliContext, key: string | undefined): ConfigValues {
  if (key !== undefined) checkKey(key);
  const values: ConfigValues = {
    [DATA_DIR]: ctx.services().dataDir,
    [ENGINE]: readEngineSetting(configFilePath()),
    ...ctx.services().settings.all(),
  };
  return key === undefined ? values : { [key]: values[key] };
}

function setValue(ctx: CliContext, key: string, raw: string): ConfigValues {
  checkKey(key);
  if (key === DATA_DIR) return setDataDir(ctx, raw);
  if (key === ENGINE) return setEngine(ctx, raw);
  return { [key]: ctx.services().settings.set(key as SettingKey, parseValue(raw)) };
}

/** Points the app and the CLI at another folder; existing snapshots stay where they are. */
function setDataDir(ctx: CliContext, raw: string): ConfigValues {
  const folder = path.resolve(raw);
  assertWritableDataDir(folder);
  writeDataDirPointer(configFilePath(), folder);
  const effective = defaultDataDir();
  if (effective !== folder) {
    ctx.stderr.write(`volsnap: VOLSNAP_DATA_DIR is set, so this shell keeps using ${effective}\n`);
  }
  return { [DATA_DIR]: folder };
}

/**
 * Chooses the engine for the app and every CLI: a Docker context name (checked now, so a typo is
 * caught here and not at the next capture) or an endpoint URL; `null` goes back to the docker CLI's choice.
 */
function setEngine(ctx: CliContext, raw: string): ConfigValues {
  const value = raw === '' || raw === 'null' ? null : raw;
  if (value !== null && isEndpointUrl(value)) checkEndpointUrl(value);
  else if (value !== null && value !== DEFAULT_CONTEXT) readContext(dockerConfigDir(), value);
  writeEngineSetting(configFilePath(), value);
  const overriding = process.env.DOCKER_HOST ? 'DOCKER_HOST' : process.env.DOCKER_CONTEXT ? 'DOCKER_CONTEXT' : null;
  if (overriding) ctx.stderr.write(`volsnap: ${overriding} is set, so this shell keeps using the engine it names\n`);
  return { [ENGINE]: value };
}

function checkKey(key: string): void {
  if (!ALL_KEYS.includes(key)) {
    throw new UsageError(`unknown setting "${key}". Settings: ${ALL_KEYS.join(', ')}.`);
  }
}

/** `5` → 5, `true` → true, `null` → null, `"x"` → "x"; anything else is taken as a plain string. */
export function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
