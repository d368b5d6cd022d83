import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// A worker bundle requires its packages when it starts (scripts/build.mjs: no lazy stand-ins in
// workers), and esbuild keeps the `require` of a package whose every use was shaken out: the
// stream-files worker loaded zod for nothing, 0.1 s before every export's and push's first byte.

/**
 * Packages a bundle requires at its start (`var import_x = require("pkg")`, once per importing
 * module) of which no binding is ever read.
 */
function unusedPackages(source: string): string[] {
  const required = [...source.matchAll(/^var (import_\w+) = (?:__toESM\()?require\("([^"]+)"\)\)?;$/gm)];
  const read = (name: string) => source.match(new RegExp(`\\b${name}\\b`, 'g'))!.length > 1;
  const packages = new Set(required.map(([, , pkg]) => pkg!));
  return [...packages].filter((pkg) => !required.some(([, name, of]) => of === pkg && read(name!)));
}

describe('worker bundles', () => {
  it('load only packages they use', () => {
    if (!existsSync('dist/stream-files-worker.cjs'))
      spawnSync('node', ['scripts/build.mjs', 'node'], { stdio: 'inherit' });
    const workers = readdirSync('dist').filter((f) => f.endsWith('-worker.cjs'));
    expect(workers).toEqual(expect.arrayContaining(['archive-worker.cjs', 'stream-files-worker.cjs']));
    for (const worker of workers) {
      const source = readFileSync(`dist/${worker}`, 'utf8');
      expect(source, worker).toMatch(/require\("zstd-napi\/binding"\)|require\("tar"\)/);
      expect(unusedPackages(source), worker).toEqual([]);
    }
  });
});
