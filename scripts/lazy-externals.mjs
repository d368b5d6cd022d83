// An esbuild plugin for the CLI bundle: the heavy packages below are loaded on first use instead of
// at start. Without it every `volsnap` invocation, even `--version` or a `list` of an empty store,
// paid for dockerode (ssh2, grpc, protobuf), zod, tar, zstd-napi, diff and ws before doing anything
// (issue 11 item 8: about 4× a bare `node -e 0`).
//
// Each import of one of these packages gets a stand-in that requires the real package the first time
// something is read from it (`import_tar.Parser`, `z.object`), so the sources keep their plain static
// imports. `new Docker(…)` returns a stand-in too, which constructs the real client on first use:
// every command builds the services (and so a client), few talk to the engine.
// The worker bundles do not use it: a worker needs its packages at once.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Packages whose loading is deferred (and the Node built-ins only some commands need). A built-in's
 * export names are listed from the Node that builds; the CLI uses none newer than Node 20's.
 */
export const LAZY_PACKAGES = [
  'dockerode',
  'zod',
  'tar',
  'zstd-napi',
  'diff',
  'ws',
  'node:crypto',
  'node:http',
  'node:https',
];

/**
 * What a lazy package requires at its own start but uses only on paths Volsnap never takes by
 * default: dockerode's BuildKit sessions (gRPC) and docker-modem's ssh:// engines (ssh2), 0.1–0.2 s
 * of every command that talks to the engine. While the package loads, they are handed stand-ins
 * that load the real ones when first used (`new Client()` of an ssh:// engine).
 */
const DEFERRED_REQUIRES = { dockerode: ['@grpc/grpc-js', '@grpc/proto-loader', 'ssh2'] };

const NAMESPACE = 'volsnap-lazy';

/**
 * The stand-in module for one package (CommonJS; esbuild inlines it, the real require stays external).
 * esbuild's interop copies a CommonJS module's own properties when it is imported, so the stand-in
 * has one getter per export of the real package (listed at build time) that loads it when read.
 */
function standIn(name) {
  const exportNames = Object.keys(require(name)).filter((key) => key !== 'default');
  const deferred = DEFERRED_REQUIRES[name] ?? [];
  return `
let real;
const load = () => (real ??= requireDeferring(${JSON.stringify(deferred)}, () => require(${JSON.stringify(name)})));
// A function, so that a package whose export is a class (dockerode) can be \`new\`ed through it.
const target = function lazy() {};
for (const key of ${JSON.stringify(exportNames)}) {
  Object.defineProperty(target, key, { get: () => load()[key], enumerable: true, configurable: true });
}
module.exports = new Proxy(target, {
  get: (t, key) => (key === 'prototype' ? load().prototype : Reflect.get(t, key)),
  construct: (_t, args) => lazyInstance(() => Reflect.construct(load(), args)),
  apply: (_t, self, args) => Reflect.apply(load(), self, args),
});
/**
 * Requires a package while the packages named in \`deferred\` are handed stand-ins (Node's module
 * loader is wrapped for that one call only). A stand-in's members are stand-ins too: reading,
 * calling or constructing one loads the real package, resolved from where it was asked for.
 */
function requireDeferring(deferred, requireReal) {
  if (deferred.length === 0) return requireReal();
  const Module = require('node:module');
  const original = Module._load;
  Module._load = function (request, parent, isMain) {
    if (!deferred.includes(request)) return original.apply(this, arguments);
    let module;
    const get = () => (module ??= original.call(Module, request, parent, isMain));
    return new Proxy({}, { get: (_t, key) => deferredMember(() => get()[key]) });
  };
  try {
    return requireReal();
  } finally {
    Module._load = original;
  }
}
function deferredMember(get) {
  return new Proxy(function deferred() {}, {
    construct: (_t, args) => Reflect.construct(get(), args),
    apply: (_t, self, args) => Reflect.apply(get(), self, args),
    get: (_t, key) => {
      const value = Reflect.get(get(), key);
      return typeof value === 'function' ? value.bind(get()) : value;
    },
  });
}
/** An instance whose construction waits until something is read from it. */
function lazyInstance(make) {
  let instance;
  const get = () => (instance ??= make());
  return new Proxy(Object.create(null), {
    get: (_t, key) => {
      // Returned from an async function, the instance is asked whether it is a promise: that alone
      // must not construct it (no client of these packages is a thenable).
      if (key === 'then' && instance === undefined) return undefined;
      const value = Reflect.get(get(), key);
      return typeof value === 'function' ? value.bind(get()) : value;
    },
    set: (_t, key, value) => Reflect.set(get(), key, value),
    has: (_t, key) => key in get(),
    getPrototypeOf: () => Reflect.getPrototypeOf(get()),
  });
}
`;
}

/** @returns {import('esbuild').Plugin} */
export function lazyExternals(packages = LAZY_PACKAGES) {
  const filter = new RegExp(`^(${packages.map((p) => p.replace(/[-/]/g, '\\$&')).join('|')})$`);
  return {
    name: 'volsnap-lazy-externals',
    setup(build) {
      build.onResolve({ filter }, (args) =>
        // The stand-in's own require() is the real, external one.
        args.namespace === NAMESPACE ? { path: args.path, external: true } : { path: args.path, namespace: NAMESPACE },
      );
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({ contents: standIn(args.path), loader: 'js' }));
    },
  };
}
