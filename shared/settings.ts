import { z } from 'zod';
import { parseSize } from './size-text';
import { CAPTURE_MODES, type CaptureMode } from './types';

/** Every user setting; stored in the catalog, validated by `settingsSchema()`. */
export interface Settings {
  helperImage: string;
  defaultMode: CaptureMode;
  keepLast: number;
  /** Days; null keeps snapshots regardless of age. */
  maxAgeDays: number | null;
  /** Bytes; after each capture the oldest unpinned snapshots are pruned to stay under it. Null: no limit. */
  maxStoreBytes: number | null;
  keepInTrayOnClose: boolean;
  launchAtLogin: boolean;
}
export type SettingKey = keyof Settings;

export const DEFAULT_SETTINGS: Readonly<Settings> = {
  helperImage: 'busybox:latest',
  defaultMode: 'pause',
  keepLast: 20,
  maxAgeDays: null,
  maxStoreBytes: null,
  keepInTrayOnClose: true,
  launchAtLogin: false,
};

/** The settings' names, in the order they are listed. */
export const SETTING_KEYS = Object.keys(DEFAULT_SETTINGS) as [SettingKey, ...SettingKey[]];

/** A smaller quota would prune every snapshot but each workload's newest: surely a typo. */
const MIN_STORE_BYTES = 1024 ** 2;

function buildSchema() {
  return z.object({
    helperImage: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._/:@-]{0,254}$/i, 'an image reference such as busybox:latest')
      .default(DEFAULT_SETTINGS.helperImage),
    defaultMode: z.enum(CAPTURE_MODES).default(DEFAULT_SETTINGS.defaultMode),
    keepLast: z.number().int().min(1).max(10_000).default(DEFAULT_SETTINGS.keepLast),
    maxAgeDays: z.number().int().min(1).max(36_500).nullable().default(DEFAULT_SETTINGS.maxAgeDays),
    // "20 GB" as typed in Settings or `volsnap config set maxStoreBytes 20GB` is stored as bytes.
    maxStoreBytes: z
      .preprocess(
        (value) => (typeof value === 'string' ? (value.trim() === '' ? null : (parseSize(value) ?? value)) : value),
        z
          .number('a size such as 20 GB, or null for no limit')
          .int()
          .min(MIN_STORE_BYTES, 'at least 1 MB')
          .max(Number.MAX_SAFE_INTEGER)
          .nullable(),
      )
      .default(DEFAULT_SETTINGS.maxStoreBytes),
    keepInTrayOnClose: z.boolean().default(DEFAULT_SETTINGS.keepInTrayOnClose),
    launchAtLogin: z.boolean().default(DEFAULT_SETTINGS.launchAtLogin),
  }) satisfies z.ZodType<Settings>;
}

let schema: ReturnType<typeof buildSchema> | undefined;

/**
 * Every setting's validation and default. Built on first use, not at import: the CLI bundle loads zod
 * lazily (scripts/lazy-externals.mjs), and most commands never validate a setting.
 */
export function settingsSchema(): ReturnType<typeof buildSchema> {
  return (schema ??= buildSchema());
}
