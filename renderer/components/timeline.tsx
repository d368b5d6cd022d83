import { useMemo, useState } from 'react';
import { TriggerIcon, triggerLabel, triggerPath } from './trigger-shape';
import { axisTicks, tickLabel, timelineModel, type Bucket, type Mark } from './timeline-model';
import { useElementWidth } from '../hooks/use-element-width';
import { countOf, humanBytes, humanDate } from '../format';
import type { Snapshot } from '../../shared/types';

const HEIGHT = 62;
const MARK_Y = 22;
const AXIS_Y = 40;

/**
 * The workload's snapshots on a time axis: one shape per trigger kind, pinned ones ringed, the
 * selected one highlighted; hover tells name and size, click selects. Past MAX_MARKS snapshots it
 * draws density bars instead (a handful of DOM nodes for 10,000 snapshots); a bar selects its newest.
 */
export function Timeline(props: { snapshots: Snapshot[]; selectedId: string | null; onSelect: (s: Snapshot) => void }) {
  const { snapshots, selectedId, onSelect } = props;
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const model = useMemo(() => timelineModel(snapshots, width), [snapshots, width]);
  const [hover, setHover] = useState<{ x: number; text: string } | null>(null);
  const kinds = useMemo(() => [...new Set(snapshots.map((s) => s.trigger))].sort(), [snapshots]);
  const anyPinned = snapshots.some((s) => s.pinned);
  const bucketed = model.items[0]?.kind === 'bucket';
  const ticks = axisTicks(model.t0, model.t1, Math.min(6, Math.floor(width / 110)));
  const label = `Timeline of ${countOf(snapshots.length, 'snapshot')} from ${humanDate(new Date(model.t0).toISOString())} to ${humanDate(new Date(model.t1).toISOString())}`;
  return (
    <figure className="timeline" ref={ref}>
      <svg width={width} height={HEIGHT} role="img" aria-label={label} onMouseLeave={() => setHover(null)}>
        <line x1={0} x2={width} y1={AXIS_Y} y2={AXIS_Y} className="axis-line" />
        {ticks.map((t, i) => (
          <g key={t} transform={`translate(${model.x(t)},${AXIS_Y})`} className="tick">
            <line y2={4} />
            {/* The end labels hug the edges instead of being cut by them. */}
            <text
              y={16}
              textAnchor={i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle'}
              dx={i === 0 ? -8 : i === ticks.length - 1 ? 8 : 0}
            >
              {tickLabel(t, model.t1 - model.t0)}
            </text>
          </g>
        ))}
        {model.items.map((item) =>
          item.kind === 'mark' ? (
            <MarkShape
              key={item.snapshot.id}
              mark={item}
              selected={item.snapshot.id === selectedId}
              onSelect={onSelect}
              onHover={setHover}
            />
          ) : (
            <BucketBar
              key={item.x}
              bucket={item}
              maxCount={model.maxCount}
              selected={selectedId !== null && item.newest.id === selectedId}
              onSelect={onSelect}
              onHover={setHover}
            />
          ),
        )}
      </svg>
      {hover && (
        <div className="timeline-tip" role="tooltip" style={{ left: Math.min(Math.max(hover.x, 80), width - 80) }}>
          {hover.text}
        </div>
      )}
      <figcaption className="legend">
        {kinds.map((k) => (
          <span key={k}>
            <TriggerIcon trigger={k} /> {triggerLabel(k)}
          </span>
        ))}
        {anyPinned && (
          <span>
            <svg width={12} height={12} aria-hidden className="legend-pin">
              <circle cx={6} cy={6} r={4.5} />
            </svg>{' '}
            pinned
          </span>
        )}
        {bucketed && <span>bars: snapshots per period (click selects its newest)</span>}
      </figcaption>
    </figure>
  );
}

type Hover = (h: { x: number; text: string } | null) => void;

function MarkShape({
  mark,
  selected,
  onSelect,
  onHover,
}: {
  mark: Mark;
  selected: boolean;
  onSelect: (s: Snapshot) => void;
  onHover: Hover;
}) {
  const s = mark.snapshot;
  return (
    <g
      transform={`translate(${mark.x},${MARK_Y})`}
      className={`mark trigger-${s.trigger} status-${s.status}${selected ? ' selected' : ''}`}
      data-mark={s.name}
      onClick={() => onSelect(s)}
      onMouseEnter={() =>
        onHover({ x: mark.x, text: `${s.name} · ${humanBytes(s.storedBytes)} · ${humanDate(s.createdAt)}` })
      }
    >
      {selected && <line y1={-MARK_Y + 2} y2={AXIS_Y - MARK_Y} className="selected-line" />}
      {s.pinned && <circle r={9} className="pin-ring" />}
      <path d={triggerPath(s.trigger, 5)} fillRule="evenodd" />
      <rect x={-6} y={-12} width={12} height={24} className="hit" />
    </g>
  );
}

function BucketBar(props: {
  bucket: Bucket;
  maxCount: number;
  selected: boolean;
  onSelect: (s: Snapshot) => void;
  onHover: Hover;
}) {
  const { bucket, maxCount, selected, onSelect, onHover } = props;
  // Log scale: a bucket of 3 still shows beside one of 300.
  const h = 4 + (Math.log1p(bucket.count) / Math.log1p(maxCount)) * (AXIS_Y - 8);
  const text = `${countOf(bucket.count, 'snapshot')} · ${humanBytes(bucket.storedBytes)} · ${humanDate(bucket.oldest.createdAt)} – ${humanDate(bucket.newest.createdAt)}`;
  return (
    <g
      className={`bucket${selected ? ' selected' : ''}${bucket.pinned ? ' pinned' : ''}`}
      onClick={() => onSelect(bucket.newest)}
      onMouseEnter={() => onHover({ x: bucket.x, text })}
    >
      <rect x={bucket.x - 2} y={AXIS_Y - h} width={4} height={h} rx={1} />
      {bucket.pinned && <circle cx={bucket.x} cy={AXIS_Y - h - 5} r={2.5} className="pin-dot" />}
    </g>
  );
}
