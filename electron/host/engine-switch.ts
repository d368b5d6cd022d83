import { bridgeEvents, type EmitEvent } from './events';
import { createHandlers, type Handlers } from './handlers';
import { connectEngine, currentEngine } from '../docker/engine';
import { listEngineCandidates } from '../docker/engine-candidates';
import { DEFAULT_CONTEXT } from '../docker/docker-contexts';
import { defaultEngine, dockerFor, isEndpointUrl, namedEngine, type EngineTarget } from '../docker/engine-resolve';
import type { Services } from '../services';
import { openHostServices } from './host-services';
import { configFilePath, readEngineSetting, writeEngineSetting } from '../services/data-dir-pointer';
import { COMMAND_NAMES, type CommandName, type EngineCandidate } from '../../shared/contract';
import { Emitter } from '../../shared/emitter';
import { VolsnapError } from '../../shared/errors';

/** What the contract's engine commands need from the host (see createHandlers). */
export interface EngineControl {
  /** The services of that engine. */
  readonly current: Services;
  /** The engine the host's services talk to now. */
  target(): EngineTarget;
  candidates(): Promise<EngineCandidate[]>;
  switchTo(choice: { name: string; endpoint: string }): Promise<void>;
}

export interface EngineSwitchOptions {
  /** The services the host started with; their owner closes them (the holder closes only its own). */
  services: Services;
  /** The engine those services talk to; default: the one this process connected to. */
  engine?: EngineTarget;
  /** Opens services on the same data dir for another engine; default: `createServices`. */
  open?(engine: EngineTarget, dataDir: string): Services;
  /** Builds one Services' handlers (main.ts adds its login-item sync); default: `createHandlers`. */
  handlers?(services: Services, engines: EngineControl): Handlers;
  /** Where the docker config, the user's config file and DOCKER_HOST are read (tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The one place a host's services live, so a host can move to another engine without a restart:
 * `switchTo` writes the `engine` setting (as `volsnap config set engine` does, so every CLI follows),
 * opens new services on the same data dir for that engine, re-points `handlers` and the event bridge,
 * and tells the renderer (`engine:changed`). Both hosts (the Electron shell and `volsnap serve`) hold one.
 */
export class ServicesHolder implements EngineControl {
  /** Fires after a switch, with the new services (the tray re-reads them). */
  readonly switched = new Emitter<Services>();
  /** Stable: each command runs on the services current when it arrives. */
  readonly handlers: Handlers;
  private services: Services;
  private engine: EngineTarget;
  private currentHandlers: Handlers;
  private switching = false;
  private readonly initial: Services;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly options: EngineSwitchOptions) {
    this.env = options.env ?? process.env;
    this.services = this.initial = options.services;
    this.engine = options.engine ?? currentEngine() ?? unresolvedEngine(this.env);
    this.currentHandlers = this.buildHandlers(this.services);
    const handlers = {} as Record<CommandName, (input: unknown) => Promise<unknown>>;
    for (const name of COMMAND_NAMES) {
      handlers[name] = (input) => (this.currentHandlers[name] as (input: unknown) => Promise<unknown>)(input);
    }
    this.handlers = handlers as Handlers;
  }

  get current(): Services {
    return this.services;
  }

  target(): EngineTarget {
    return this.engine;
  }

  /** `volsnap engines`' rows, with `current` meaning the engine this host talks to now. */
  async candidates(): Promise<EngineCandidate[]> {
    const rows = await listEngineCandidates({ env: this.env, setting: readEngineSetting(configFilePath(this.env)) });
    const same = (row: EngineCandidate) => row.endpoint === this.engine.endpoint;
    const exact = rows.findIndex((row) => same(row) && row.name === this.engine.name);
    const current = exact >= 0 ? exact : rows.findIndex(same);
    return rows.map((row, i) => ({ ...row, current: i === current }));
  }

  /**
   * Moves the host to the candidate named `name` at `endpoint`. Refused (`Conflict`) while one of
   * this host's jobs runs: its engine must not change under it (docs/decisions.md).
   */
  async switchTo(choice: { name: string; endpoint: string }): Promise<void> {
    this.assertIdle();
    if (this.switching)
      throw new VolsnapError('Conflict', 'Volsnap is already switching engines. Try again in a moment.');
    this.switching = true;
    try {
      const candidate = await this.find(choice);
      // The candidate list took a moment: a job may have started meanwhile.
      this.assertIdle();
      const setting = settingFor(candidate);
      const engine = { ...targetFor(setting, this.env), name: candidate.name };
      const next = (this.options.open ?? openServices)(engine, this.services.dataDir);
      try {
        writeEngineSetting(configFilePath(this.env), setting);
      } catch (error) {
        next.close();
        throw error;
      }
      this.replace(next, engine);
    } finally {
      this.switching = false;
    }
  }

  /**
   * Forwards the current services' events to `emit`, moving to the new services on a switch and
   * announcing it (`engine:changed`) so the renderer refetches everything. Returns the unsubscribe.
   */
  bridge(emit: EmitEvent): () => void {
    let stop = bridgeEvents(this.services, emit);
    const off = this.switched.on((services) => {
      stop();
      stop = bridgeEvents(services, emit);
      emit('engine:changed', { name: this.engine.name, endpoint: this.engine.endpoint });
    });
    return () => {
      off();
      stop();
    };
  }

  /** Closes the services this holder opened; the initial ones belong to whoever created them. */
  close(): void {
    if (this.services !== this.initial) this.services.close();
  }

  private assertIdle(): void {
    const running = this.services.jobs.running();
    if (running.length === 0) return;
    const jobs = running.map((job) => `${job.kind} of ${job.workloadId.replace(/^[a-z]+:/, '')}`).join(', ');
    throw new VolsnapError(
      'Conflict',
      `Cannot switch engines while ${running.length === 1 ? 'a job runs' : `${running.length} jobs run`} on engine "${this.engine.name}" (${jobs}): it would lose its engine halfway. Wait for it to finish, or cancel it in Jobs, then switch.`,
    );
  }

  private async find(choice: { name: string; endpoint: string }): Promise<EngineCandidate> {
    const rows = await this.candidates();
    const candidate = rows.find((row) => row.name === choice.name && row.endpoint === choice.endpoint);
    if (!candidate) {
      const known = rows.map((row) => `"${row.name}"`).join(', ') || 'none';
      throw new VolsnapError(
        'NotFound',
        `No engine "${choice.name}" at ${choice.endpoint} any more. Engines found now: ${known}.`,
      );
    }
    if (!candidate.endpoint) {
      throw new VolsnapError(
        'InvalidInput',
        `Engine "${candidate.name}" cannot be used: ${candidate.error ?? 'it has no endpoint'}`,
      );
    }
    return candidate;
  }

  private replace(next: Services, engine: EngineTarget): void {
    const previous = this.services;
    // Engine messages and ids name the engine this process talks to (docker/engine.ts keeps it).
    connectEngine(engine);
    this.services = next;
    this.engine = engine;
    this.currentHandlers = this.buildHandlers(next);
    this.switched.emit(next);
    if (previous !== this.initial) previous.close();
  }

  private buildHandlers(services: Services): Handlers {
    return (this.options.handlers ?? createHandlers)(services, this);
  }
}

function openServices(engine: EngineTarget, dataDir: string): Services {
  return openHostServices({ dataDir, docker: dockerFor(engine) });
}

/**
 * What the `engine` setting records for a candidate: a context by its name (so `docker context update`
 * keeps working), anything else (DOCKER_HOST, a probed desktop socket, an endpoint) by its endpoint.
 */
export function settingFor(candidate: Pick<EngineCandidate, 'name' | 'endpoint' | 'source'>): string {
  if (candidate.name === DEFAULT_CONTEXT) return DEFAULT_CONTEXT;
  if (candidate.source === 'probe' || candidate.name === 'DOCKER_HOST' || isEndpointUrl(candidate.name)) {
    return candidate.endpoint;
  }
  return candidate.name;
}

/** The engine a setting names, as the next start will resolve it (DOCKER_HOST and DOCKER_CONTEXT aside). */
function targetFor(setting: string, env: NodeJS.ProcessEnv): EngineTarget {
  const { DOCKER_HOST: _host, DOCKER_CONTEXT: _context, ...rest } = env;
  const engine = namedEngine({ env: rest, setting });
  if (!engine) throw new VolsnapError('Internal', `The engine setting "${setting}" names no engine.`);
  return engine;
}

/** The engine a process that never resolved one talks to (connectEngine() without a target). */
function unresolvedEngine(env: NodeJS.ProcessEnv): EngineTarget {
  if (env.DOCKER_HOST)
    return { ...defaultEngine(), name: 'DOCKER_HOST', endpoint: env.DOCKER_HOST, source: 'env', fromEnv: true };
  return defaultEngine();
}
