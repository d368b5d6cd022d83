/** The colour theme: following the OS (the default), or fixed light or dark; remembered per browser profile. */
export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_CHOICES: readonly { value: ThemeChoice; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

const KEY = 'volsnap.theme';

export function loadTheme(): ThemeChoice {
  const saved = safeStorage()?.getItem(KEY);
  return saved === 'light' || saved === 'dark' ? saved : 'system';
}

/** Sets `data-theme` on <html>; styles.css turns it into `color-scheme`, which every `light-dark()` token follows. */
export function applyTheme(choice: ThemeChoice): void {
  document.documentElement.dataset.theme = choice;
}

export function saveTheme(choice: ThemeChoice): void {
  safeStorage()?.setItem(KEY, choice);
  applyTheme(choice);
}

/** localStorage, or null where it is unavailable (a sandboxed page): the theme then lasts for the session. */
export function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
