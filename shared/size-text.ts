/** Sizes as people type them: "20 GB", "500MB", "1.5 TiB", or a plain number of bytes. */

const POWERS: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4 };

/**
 * Bytes for "20 GB", "1.5T", "512 MiB" or "1000000" (units count in 1024s, as the app displays
 * them); undefined when the text is no size, so the schema can say what is expected.
 */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!match) return undefined;
  const power = POWERS[match[2]!.toLowerCase()] ?? 0;
  return Math.round(Number(match[1]) * 1024 ** power);
}
