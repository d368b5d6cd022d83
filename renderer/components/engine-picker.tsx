import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Check, ChevronDown, LoaderCircle } from 'lucide-react';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { ErrorMessage } from './error-message';
import { MessageText } from './message-text';
import { activeIndex, engineKey } from './engine-picker-active';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import type { EngineCandidate } from '../../shared/contract';

/** While the engine is down it is asked this often, so the app notices by itself when it is back. */
const DOWN_RETRY_MS = 5_000;

/** The connected engine's status; re-asked every few seconds while it is down. */
export function useEngineStatus() {
  const client = useClient();
  return useQuery({
    queryKey: queryKeys.engine,
    queryFn: () => client.engineStatus({}),
    refetchInterval: (query) => (query.state.data?.ok === false ? DOWN_RETRY_MS : false),
  });
}

/**
 * The engines the host could use (asked only while `enabled`: each one is pinged) and the switch
 * to one of them; after a switch every query is refetched, since every list belongs to the engine.
 */
export function useEngineChoice(enabled: boolean, onSwitched?: () => void) {
  const client = useClient();
  const queryClient = useQueryClient();
  const engines = useQuery({ queryKey: queryKeys.engines, queryFn: () => client.listEngines({}), enabled });
  const switchTo = useMutation({
    mutationFn: (engine: Pick<EngineCandidate, 'name' | 'endpoint'>) =>
      client.switchEngine({ name: engine.name, endpoint: engine.endpoint }),
    onSuccess: () => {
      void queryClient.invalidateQueries();
      onSwitched?.();
    },
  });
  return { engines, switchTo };
}

type DotState = 'up' | 'down' | 'unknown';

/** A status dot; its meaning is also said in words next to it (colour is never the only cue). */
function EngineDot({ state }: { state: DotState }) {
  return <span className={`engine-dot engine-dot-${state}`} aria-hidden />;
}

/**
 * The engine the app talks to, with a status dot; opens a listbox of every engine the host could
 * use (each with its status, version or why it cannot be reached), and choosing one switches to it
 * at once. Keyboard: Enter/Space/ArrowDown open, arrows/Home/End move, Enter/Space choose, Escape closes.
 */
export function EnginePicker() {
  const status = useEngineStatus();
  const [open, setOpen] = useState(false);
  // The engine the user moved to with the keys or the pointer; null: the one in use.
  const [chosenKey, setChosenKey] = useState<string | null>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const close = (refocus: boolean) => {
    setOpen(false);
    setChosenKey(null);
    if (refocus) buttonRef.current?.focus();
  };
  const { engines, switchTo } = useEngineChoice(open, () => close(true));
  const id = useId();
  const rows = engines.data ?? [];
  const active = activeIndex(rows, chosenKey);
  const listed = engines.data !== undefined;

  useEffect(() => {
    if (open && listed) listRef.current?.focus();
  }, [open, listed]);

  const name = status.data?.name ?? 'Docker engine';
  const state: DotState = !status.data ? 'unknown' : status.data.ok ? 'up' : 'down';
  const stateText = state === 'up' ? 'connected' : state === 'down' ? 'unavailable' : 'checking';

  const choose = (engine: EngineCandidate | undefined) => {
    if (!engine || !engine.endpoint || switchTo.isPending) return;
    if (engine.current) return close(true);
    switchTo.mutate(engine);
  };

  const onListKey = (event: KeyboardEvent) => {
    const move = (to: number) => {
      event.preventDefault();
      const engine = rows[Math.min(Math.max(to, 0), rows.length - 1)];
      if (engine) setChosenKey(engineKey(engine));
    };
    if (event.key === 'ArrowDown') move(active + 1);
    else if (event.key === 'ArrowUp') move(active - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(rows.length - 1);
    else if (event.key === 'Escape') {
      event.preventDefault();
      close(true);
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      choose(rows[active]);
    } else if (event.key === 'Tab') close(false);
  };

  return (
    <div
      className="engine-picker"
      onBlur={(event) => {
        if (open && !event.currentTarget.contains(event.relatedTarget)) close(false);
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        className="engine-picker-button"
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-controls={open ? `${id}-list` : undefined}
        aria-label={`Docker engine: ${name}, ${stateText}. Choose another engine`}
        title={status.data?.ok === false ? (status.data.message ?? undefined) : status.data?.endpoint}
        onClick={() => (open ? close(false) : setOpen(true))}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' && !open) {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        <EngineDot state={state} />
        <span className="engine-picker-name">{name}</span>
        <span className="visually-hidden">{stateText}</span>
        <ChevronDown aria-hidden size={14} />
      </button>
      {open && (
        <div className="engine-picker-popup">
          {engines.isPending && (
            <p role="status" className="muted engine-picker-note">
              <LoaderCircle aria-hidden size={14} className="spin" /> Looking for engines…
            </p>
          )}
          <ErrorMessage error={engines.error ?? switchTo.error} />
          {engines.data && (
            <ul
              ref={listRef}
              id={`${id}-list`}
              role="listbox"
              aria-label="Docker engines"
              tabIndex={-1}
              aria-activedescendant={rows[active] ? `${id}-opt-${active}` : undefined}
              aria-busy={switchTo.isPending}
              className="engine-picker-list"
              onKeyDown={onListKey}
            >
              {rows.map((engine, index) => (
                <EngineOption
                  key={engineKey(engine)}
                  id={`${id}-opt-${index}`}
                  engine={engine}
                  active={index === active}
                  switching={switchTo.isPending && switchTo.variables?.name === engine.name}
                  onHover={() => setChosenKey(engineKey(engine))}
                  onChoose={() => choose(engine)}
                />
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

function EngineOption(props: {
  id: string;
  engine: EngineCandidate;
  active: boolean;
  switching: boolean;
  onHover: () => void;
  onChoose: () => void;
}) {
  const { engine } = props;
  const state: DotState = engine.reachable ? 'up' : 'down';
  const detail = engine.reachable ? `Docker ${engine.version ?? ''}`.trim() : 'unreachable';
  return (
    <li
      id={props.id}
      role="option"
      aria-selected={engine.current}
      aria-disabled={!engine.endpoint || undefined}
      className={`engine-option${props.active ? ' active' : ''}`}
      onMouseEnter={props.onHover}
      onMouseDown={(event) => event.preventDefault()}
      onClick={props.onChoose}
    >
      <EngineDot state={state} />
      <span className="engine-option-text">
        <span className="engine-option-name">
          {engine.name}
          {engine.current && <span className="muted"> (in use)</span>}
          {props.switching && <span className="muted"> switching…</span>}
        </span>
        <span className="engine-option-detail muted">
          {detail} · {engine.source}
          {engine.endpoint && (
            <>
              {' · '}
              <code>{engine.endpoint}</code>
            </>
          )}
        </span>
        {engine.error && (
          <span className="engine-option-error" title={engine.error}>
            <MessageText text={engine.error} />
          </span>
        )}
      </span>
      {engine.current && <Check aria-hidden size={14} />}
    </li>
  );
}
