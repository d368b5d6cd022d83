/**
 * One shape per trigger kind, so the timeline reads without colour. Kinds the catalog may gain
 * later (import, pull, schedule, clone) have theirs; anything else gets the ring.
 */
const SHAPES: Record<string, { label: string; path: (r: number) => string }> = {
  manual: { label: 'manual', path: circle },
  cli: { label: 'CLI', path: (r) => `M${-r},${-r}h${2 * r}v${2 * r}h${-2 * r}z` },
  tray: { label: 'tray', path: (r) => `M0,${-r * 1.15}L${r * 1.1},${r * 0.85}L${-r * 1.1},${r * 0.85}z` },
  schedule: { label: 'schedule', path: (r) => `M0,${-r * 1.3}L${r * 1.3},0L0,${r * 1.3}L${-r * 1.3},0z` },
  'pre-restore': {
    label: 'safety (pre-restore)',
    path: (r) => `M${-r * 1.1},${-r * 0.85}L${r * 1.1},${-r * 0.85}L0,${r * 1.15}z`,
  },
  import: { label: 'import', path: hexagon },
  pull: { label: 'pull', path: (r) => `M${-r},${-r * 0.4}h${2 * r}v${r * 0.8}h${-2 * r}z` },
  clone: { label: 'clone', path: plus },
};

const FALLBACK = { label: 'other', path: (r: number) => `${circle(r)}${circle(r * 0.45)}` };

export function triggerLabel(trigger: string): string {
  return (SHAPES[trigger] ?? FALLBACK).label;
}

/** The path `d` of a trigger's shape, centred on 0,0 with radius `r`. */
export function triggerPath(trigger: string, r: number): string {
  return (SHAPES[trigger] ?? FALLBACK).path(r);
}

/** A small standalone shape, for the legend and the snapshot list. */
export function TriggerIcon({ trigger, size = 12 }: { trigger: string; size?: number }) {
  const r = size / 2 - 1.5;
  return (
    <svg
      width={size}
      height={size}
      viewBox={`${-size / 2} ${-size / 2} ${size} ${size}`}
      aria-hidden
      className="trigger-icon"
    >
      <path d={triggerPath(trigger, r)} fillRule="evenodd" />
    </svg>
  );
}

function circle(r: number): string {
  return `M${-r},0a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`;
}

function hexagon(r: number): string {
  const pts = [0, 1, 2, 3, 4, 5].map((i) => {
    const a = (Math.PI / 3) * i;
    return `${(r * 1.1 * Math.cos(a)).toFixed(2)},${(r * 1.1 * Math.sin(a)).toFixed(2)}`;
  });
  return `M${pts.join('L')}z`;
}

function plus(r: number): string {
  const t = r * 0.45;
  return `M${-t},${-r}h${2 * t}v${r - t}h${r - t}v${2 * t}h${t - r}v${r - t}h${-2 * t}v${t - r}h${t - r}v${-2 * t}h${r - t}z`;
}
