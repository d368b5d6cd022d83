/** Human-readable output for the CLI: sizes, ages and aligned tables. */

export { humanBytes } from '../../shared/format';

export function humanTime(iso: string | null): string {
  if (!iso) return '-';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** Renders rows as an aligned table with a header; control characters in cells are made visible. */
export function table(header: string[], rows: string[][]): string {
  const clean = (cell: string) => JSON.stringify(cell).slice(1, -1).replace(/\\"/g, '"');
  const all = [header, ...rows.map((r) => r.map(clean))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
    .join('\n');
}
