// Draws the app icon and the tray icons (resources/) with signed distance functions and writes
// them as PNG with nothing but node:zlib. Run `node scripts/make-icons.mjs` after changing a shape;
// the PNGs are committed so packaging needs no image tools.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

const OUT = path.join(import.meta.dirname, '..', 'resources');

// ---- PNG encoding (RGBA, 8 bit, filter 0) ----
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- Rasterizing: paint(x, y) in unit coordinates -> [r, g, b, a] (0..1), supersampled ----
function rasterize(size, paint) {
  const samples = size <= 64 ? 8 : 3;
  const out = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const [cr, cg, cb, ca] = paint((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          r += cr * ca;
          g += cg * ca;
          b += cb * ca;
          a += ca;
        }
      }
      const n = samples * samples;
      const i = (py * size + px) * 4;
      out[i + 3] = Math.round((a / n) * 255);
      if (a > 0) {
        out[i] = Math.round((r / a) * 255);
        out[i + 1] = Math.round((g / a) * 255);
        out[i + 2] = Math.round((b / a) * 255);
      }
    }
  }
  return out;
}

// ---- Shapes (signed distances: negative inside) ----
const len = (x, y) => Math.hypot(x, y);
const circle = (x, y, cx, cy, r) => len(x - cx, y - cy) - r;
const ellipse = (x, y, cx, cy, a, b) => (len((x - cx) / a, (y - cy) / b) - 1) * Math.min(a, b);
function box(x, y, cx, cy, hw, hh, r = 0) {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return len(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}
const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);

/** The database cylinder: solid, with the top rim and two bands cut out as gaps. */
function cylinder(x, y, g) {
  const { cx, top, bottom, a, b, stroke } = g;
  const body = Math.min(
    box(x, y, cx, (top + bottom) / 2, a, (bottom - top) / 2),
    ellipse(x, y, cx, bottom, a, b),
    ellipse(x, y, cx, top, a, b),
  );
  if (body > 0) return false;
  const gaps = [top, top + (bottom - top) / 3, top + (2 * (bottom - top)) / 3];
  for (const cy of gaps) {
    // Only the front (lower) half of each ring is visible, as on a real cylinder.
    if (
      y > cy - (cy === top ? b : 0) &&
      Math.abs(ellipse(x, y, cx, cy, a, b)) < stroke / 2 &&
      (cy === top ? y > cy : true)
    )
      return false;
  }
  return true;
}

// ---- Tray icons ----
const TRAY = { cx: 0.5, top: 0.2, bottom: 0.8, a: 0.36, b: 0.13, stroke: 0.085 };
const BADGE = { cx: 0.77, cy: 0.77, r: 0.22, gap: 0.08 };

function trayGlyph(kind, colors) {
  return (x, y) => {
    const clear = [0, 0, 0, 0];
    const inBadgeZone = kind !== 'idle' && circle(x, y, BADGE.cx, BADGE.cy, BADGE.r + BADGE.gap) < 0;
    if (kind !== 'idle' && circle(x, y, BADGE.cx, BADGE.cy, BADGE.r) < 0) return badge(kind, x, y, colors);
    if (!inBadgeZone && cylinder(x, y, TRAY)) return [...colors.glyph, 1];
    return clear;
  };
}

function badge(kind, x, y, colors) {
  const { cx, cy, r } = BADGE;
  if (kind === 'busy') {
    // A ring with a dot: work in progress.
    const d = circle(x, y, cx, cy, r);
    if (d > -0.075 || circle(x, y, cx, cy, 0.075) < 0) return [...colors.busy, 1];
    return [0, 0, 0, 0];
  }
  // failed: a filled disc with "!" (cut out on templates, white elsewhere).
  const mark = box(x, y, cx, cy - 0.045, 0.035, 0.09, 0.02) < 0 || circle(x, y, cx, cy + 0.115, 0.04) < 0;
  if (mark) return colors.mark ? [...colors.mark, 1] : [0, 0, 0, 0];
  return [...colors.failed, 1];
}

const TRAY_THEMES = {
  // For light panels: a dark glyph. For dark panels: a light one. Badges keep their meaning colours.
  light: { glyph: hex('#1f2937'), busy: hex('#2563eb'), failed: hex('#dc2626'), mark: hex('#ffffff') },
  dark: { glyph: hex('#f3f4f6'), busy: hex('#60a5fa'), failed: hex('#f87171'), mark: hex('#1f2937') },
  // macOS template images: black and alpha only, the system tints them.
  template: { glyph: [0, 0, 0], busy: [0, 0, 0], failed: [0, 0, 0], mark: null },
};

// ---- App icon ----
function appIcon(x, y) {
  const margin = 0.06;
  const bg = box(x, y, 0.5, 0.5, 0.5 - margin, 0.5 - margin, 0.2);
  if (bg > 0) return [0, 0, 0, 0];
  const t = Math.min(1, Math.max(0, (x + y) / 2));
  const from = hex('#0ea5e9');
  const to = hex('#4f46e5');
  const background = from.map((c, i) => c + (to[i] - c) * t);
  const glyph = { cx: 0.45, top: 0.27, bottom: 0.7, a: 0.22, b: 0.08, stroke: 0.035 };
  const clock = { cx: 0.68, cy: 0.68, r: 0.15 };
  const nearClock = circle(x, y, clock.cx, clock.cy, clock.r + 0.035) < 0;
  if (circle(x, y, clock.cx, clock.cy, clock.r) < 0) {
    // A clock face: this is the volume at a moment in time.
    const hand =
      box(x, y, clock.cx, clock.cy - 0.045, 0.017, 0.062, 0.015) < 0 ||
      box(x, y, clock.cx + 0.04, clock.cy, 0.055, 0.017, 0.015) < 0;
    return hand ? [...hex('#4f46e5'), 1] : [...hex('#fbbf24'), 1];
  }
  if (!nearClock && cylinder(x, y, glyph)) return [1, 1, 1, 1];
  return [...background, 1];
}

function write(file, size, paint) {
  const target = path.join(OUT, file);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, encodePng(size, rasterize(size, paint)));
  console.log(`${file} (${size}x${size})`);
}

write('icon.png', 512, appIcon);
write('icon-256.png', 256, appIcon);
for (const kind of ['idle', 'busy', 'failed']) {
  for (const [suffix, theme] of [
    ['-light', 'light'],
    ['-dark', 'dark'],
    ['Template', 'template'],
  ]) {
    const name = suffix === 'Template' ? `tray-${kind}Template` : `tray-${kind}${suffix}`;
    write(`tray/${name}.png`, 16, trayGlyph(kind, TRAY_THEMES[theme]));
    write(`tray/${name}@2x.png`, 32, trayGlyph(kind, TRAY_THEMES[theme]));
  }
}
