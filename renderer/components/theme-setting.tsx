import { useState } from 'react';
import { THEME_CHOICES, loadTheme, saveTheme, type ThemeChoice } from '../theme';

/** System / Light / Dark, applied at once and remembered on this machine (not a catalog setting: it is per browser). */
export function ThemeSetting() {
  const [choice, setChoice] = useState<ThemeChoice>(loadTheme);
  return (
    <fieldset className="setting theme-setting">
      <legend>Appearance</legend>
      <div className="segmented" role="radiogroup" aria-label="Theme">
        {THEME_CHOICES.map(({ value, label }) => (
          <label key={value} className={choice === value ? 'checked' : ''}>
            <input
              type="radio"
              name="theme"
              value={value}
              checked={choice === value}
              onChange={() => {
                setChoice(value);
                saveTheme(value);
              }}
            />
            {label}
          </label>
        ))}
      </div>
      <p className="muted help">System follows the light or dark setting of your OS.</p>
    </fieldset>
  );
}
