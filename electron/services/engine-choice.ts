import { configFilePath, readEngineSetting } from './data-dir-pointer';
import { resolveEngine, type EngineTarget } from '../docker/engine-resolve';

/**
 * The engine the app and the CLI use: `--context` (CLI only), then the environment, then the
 * `engine` setting of the user's config file (beside the data-dir pointer), then the docker CLI's
 * current context, then the sockets desktop engines open (see engine-resolve.ts).
 */
export function resolveConfiguredEngine(context?: string, env: NodeJS.ProcessEnv = process.env): Promise<EngineTarget> {
  return resolveEngine({ context, env, setting: readEngineSetting(configFilePath(env)) });
}
