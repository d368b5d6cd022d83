import { useEffect, useRef } from 'react';

/** A key chord: `mod` is Ctrl, or Cmd on macOS. */
export interface Chord {
  key: string;
  mod?: boolean;
  shift?: boolean;
}

const MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** How a chord reads in this OS ("Ctrl+K", "⌘K"). */
export function chordLabel({ key, mod, shift }: Chord): string {
  const k = key.length === 1 ? key.toUpperCase() : key;
  if (MAC) return `${shift ? '⇧' : ''}${mod ? '⌘' : ''}${k}`;
  return [mod && 'Ctrl', shift && 'Shift', k].filter(Boolean).join('+');
}

/** The `aria-keyshortcuts` value of a chord. */
export function ariaChord({ key, mod, shift }: Chord): string {
  return [mod && (MAC ? 'Meta' : 'Control'), shift && 'Shift', key.length === 1 ? key.toUpperCase() : key]
    .filter(Boolean)
    .join('+');
}

export function matchesChord(event: KeyboardEvent, { key, mod = false, shift = false }: Chord): boolean {
  const modDown = MAC ? event.metaKey : event.ctrlKey;
  return event.key.toLowerCase() === key.toLowerCase() && modDown === mod && event.shiftKey === shift;
}

/**
 * Runs `action` on a window-wide key chord. Skipped while a modal dialog is open (its own keys
 * win) unless `inDialogs`; the browser's own meaning of the chord (Ctrl+S saves the page) is prevented.
 */
export function useShortcut(chord: Chord, action: () => void, options: { inDialogs?: boolean } = {}): void {
  const latest = useRef(action);
  latest.current = action;
  const { key, mod, shift } = chord;
  const inDialogs = options.inDialogs ?? false;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!matchesChord(event, { key, mod, shift })) return;
      if (!inDialogs && document.querySelector('dialog[open]')) return;
      event.preventDefault();
      latest.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [key, mod, shift, inDialogs]);
}

/** The app's shortcuts, in one place so the palette, the buttons and the handlers agree. */
export const SHORTCUTS = {
  palette: { key: 'k', mod: true },
  capture: { key: 's', mod: true },
  diff: { key: 'd', mod: true },
} as const satisfies Record<string, Chord>;
