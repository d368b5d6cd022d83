import type { Db } from './db';
import { VolsnapError } from '../../shared/errors';
import { DEFAULT_SETTINGS, SETTING_KEYS, settingsSchema, type SettingKey, type Settings } from '../../shared/settings';

/** Settings as JSON values in the catalog's `settings` table, validated on every write. */
export class SettingsStore {
  constructor(private readonly db: Db) {}

  all(): Settings {
    const rows = this.db.prepare(`SELECT key, value FROM settings`).all() as { key: string; value: string }[];
    const stored: Record<string, unknown> = {};
    for (const { key, value } of rows) {
      if ((SETTING_KEYS as string[]).includes(key)) stored[key] = JSON.parse(value);
    }
    // A value that no longer validates (an older version's) falls back to its default.
    const parsed = settingsSchema().safeParse(stored);
    return parsed.success ? parsed.data : { ...DEFAULT_SETTINGS };
  }

  get<K extends SettingKey>(key: K): Settings[K] {
    return this.all()[key];
  }

  /** Validates and stores one value; an invalid one is refused and the old value kept. */
  set<K extends SettingKey>(key: K, value: unknown): Settings[K] {
    if (!(SETTING_KEYS as string[]).includes(key)) {
      throw new VolsnapError('InvalidInput', `Unknown setting "${key}". Settings: ${SETTING_KEYS.join(', ')}.`);
    }
    const field = settingsSchema().shape[key];
    const parsed = field.safeParse(value);
    if (!parsed.success) {
      const reason = parsed.error.issues.map((i) => i.message).join('; ');
      throw new VolsnapError('InvalidInput', `Invalid value for ${key}: ${reason}. The old value is kept.`);
    }
    this.db
      .prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
      .run(key, JSON.stringify(parsed.data));
    return parsed.data as Settings[K];
  }
}
