import { z } from 'zod';

/** Every user setting with its validation and default; stored in the catalog. */
export const SettingsSchema = z.object({
  helperImage: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._/:@-]{0,254}$/i, 'an image reference such as busybox:latest')
    .default('busybox:latest'),
  defaultMode: z.enum(['live', 'pause', 'stop']).default('pause'),
  keepLast: z.number().int().min(1).max(10_000).default(20),
  /** Days; null keeps snapshots regardless of age. */
  maxAgeDays: z.number().int().min(1).max(36_500).nullable().default(null),
  keepInTrayOnClose: z.boolean().default(true),
  launchAtLogin: z.boolean().default(false),
});

export type Settings = z.infer<typeof SettingsSchema>;
export type SettingKey = keyof Settings;
export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as SettingKey[];
export const DEFAULT_SETTINGS: Settings = SettingsSchema.parse({});
