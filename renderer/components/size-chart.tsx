import { humanBytes, humanDate } from '../format';
import type { Snapshot } from '../../shared/types';

const WIDTH = 480;
const HEIGHT = 120;
const PAD = 8;
/** Enough points to show the trend; more would only blur into the line. */
const MAX_POINTS = 300;

/** Stored bytes per snapshot over time: a plain SVG line, oldest on the left. */
export function SizeChart({ snapshots }: { snapshots: Snapshot[] }) {
  const points = snapshots
    .filter((s) => s.status === 'ready')
    .slice(0, MAX_POINTS)
    .map((s) => ({ t: Date.parse(s.createdAt), bytes: s.storedBytes, name: s.name }))
    .reverse();
  if (points.length < 2) return null;
  const t0 = points[0]!.t;
  const t1 = points[points.length - 1]!.t;
  const max = Math.max(...points.map((p) => p.bytes), 1);
  const x = (t: number) => PAD + ((t - t0) / Math.max(t1 - t0, 1)) * (WIDTH - 2 * PAD);
  const y = (bytes: number) => HEIGHT - PAD - (bytes / max) * (HEIGHT - 2 * PAD);
  const line = points.map((p) => `${x(p.t).toFixed(1)},${y(p.bytes).toFixed(1)}`).join(' ');
  const label = `Stored size per snapshot over time: first ${humanBytes(points[0]!.bytes)}, latest ${humanBytes(points[points.length - 1]!.bytes)}, largest ${humanBytes(max)}`;
  return (
    <figure className="size-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label}>
        <line x1={PAD} y1={HEIGHT - PAD} x2={WIDTH - PAD} y2={HEIGHT - PAD} className="axis" />
        <polyline points={line} className="series" fill="none" />
        {points.length <= 60 &&
          points.map((p) => (
            <circle key={`${p.t}-${p.name}`} cx={x(p.t)} cy={y(p.bytes)} r={3} className="dot">
              <title>{`${p.name}: ${humanBytes(p.bytes)}`}</title>
            </circle>
          ))}
      </svg>
      <figcaption>
        Stored size per snapshot (max {humanBytes(max)}) · {humanDate(new Date(t0).toISOString())} –{' '}
        {humanDate(new Date(t1).toISOString())}
      </figcaption>
    </figure>
  );
}
