import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useMemo } from 'react';
import { tickLabel } from './timeline-model';
import { humanBytes, humanDate } from '../format';
import type { Snapshot } from '../../shared/types';

/** Enough points to show the trend; more would only blur into the line (and cost render time). */
const MAX_POINTS = 200;

interface Point {
  t: number;
  bytes: number;
  name: string;
}

/** What each capture stored over time (format 2: its layout and the chunks it added) (recharts: axes with units, a tooltip per point), oldest on the left. */
export function SizeChart({ snapshots }: { snapshots: Snapshot[] }) {
  const points = useMemo(() => sample(snapshots), [snapshots]);
  if (points.length < 2) return null;
  const max = Math.max(...points.map((p) => p.bytes));
  const span = points[points.length - 1]!.t - points[0]!.t;
  const label = `Bytes each capture stored, over time: first ${humanBytes(points[0]!.bytes)}, latest ${humanBytes(points[points.length - 1]!.bytes)}, largest ${humanBytes(max)}`;
  return (
    <figure className="size-chart" aria-label={label}>
      <figcaption>Stored per capture</figcaption>
      <div className="size-chart-plot" aria-hidden>
        <ResponsiveContainer width="100%" height={96}>
          <AreaChart data={points} margin={{ top: 4, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="2 4" vertical={false} className="grid" />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={['dataMin', 'dataMax']}
              tickFormatter={(t: number) => tickLabel(t, span)}
              minTickGap={50}
              tick={{ className: 'chart-tick' }}
              height={18}
            />
            <YAxis
              tickFormatter={(b: number) => humanBytes(b)}
              width={62}
              tick={{ className: 'chart-tick' }}
              tickCount={3}
            />
            <Tooltip
              isAnimationActive={false}
              labelFormatter={(_t, payload) => {
                const p = payload[0]?.payload as Point | undefined;
                return p ? `${p.name} · ${humanDate(new Date(p.t).toISOString())}` : '';
              }}
              formatter={(v) => [humanBytes(Number(v)), 'stored']}
              wrapperClassName="chart-tooltip"
            />
            <Area type="monotone" dataKey="bytes" className="series" isAnimationActive={false} dot={false} />
          </AreaChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/** Ready snapshots oldest first, thinned evenly to MAX_POINTS. */
function sample(snapshots: Snapshot[]): Point[] {
  const ready = snapshots.filter((s) => s.status === 'ready');
  const step = Math.max(1, Math.ceil(ready.length / MAX_POINTS));
  const points: Point[] = [];
  for (let i = ready.length - 1; i >= 0; i -= step) {
    const s = ready[i]!;
    points.push({ t: Date.parse(s.createdAt), bytes: s.storedBytes, name: s.name });
  }
  return points;
}
