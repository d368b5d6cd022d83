// Lays the e2e screenshots (e2e/screenshots/*.png, written by e2e/look.spec.ts) out on one page
// and saves it as docs/contact-sheet.png, so the README can show the whole app in one image.
// Usage: npx playwright test e2e/look.spec.ts && node scripts/contact-sheet.mjs [--size 1280x800]
import { chromium } from '@playwright/test';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = 'e2e/screenshots';
const size = process.argv.includes('--size') ? process.argv[process.argv.indexOf('--size') + 1] : '1280x800';
/** The screens shown, in order (light and dark side by side); the rest stay in e2e/screenshots/. */
const PICKS = [
  'overview',
  'snapshots',
  'context-menu',
  'command-palette',
  'restore-armed',
  'diff',
  'empty-workload',
  'all-snapshots',
  'storage',
  'settings',
];

const files = readdirSync(dir).filter((f) => f.endsWith('.png') && f.includes(`-${size}-`));
const find = (theme, what) => files.find((f) => f.startsWith(`${theme}-`) && f.endsWith(`-${what}.png`));
const cells = PICKS.flatMap((what) =>
  ['light', 'dark'].map((theme) => ({ what, theme, file: find(theme, what) })).filter((c) => c.file),
);
if (cells.length === 0) throw new Error(`No screenshots of size ${size} in ${dir}: run e2e/look.spec.ts first.`);

const img = (file) => `data:image/png;base64,${readFileSync(path.join(dir, file)).toString('base64')}`;
const html = `<!doctype html><meta charset="utf-8"><style>
  body { margin: 0; padding: 24px; background: #2b2f38; font: 15px system-ui, sans-serif; color: #e7e9ee; }
  .grid { display: grid; grid-template-columns: repeat(4, 1fr); gap: 18px; }
  figure { margin: 0; } img { width: 100%; display: block; border-radius: 6px; box-shadow: 0 4px 14px #0008; }
  figcaption { margin-top: 6px; text-align: center; }
</style><div class="grid">${cells
  .map(
    (c) =>
      `<figure><img src="${img(c.file)}"><figcaption>${c.what.replace(/-/g, ' ')} · ${c.theme}</figcaption></figure>`,
  )
  .join('')}</div>`;

const browser = await chromium.launch({
  executablePath: process.env.VOLSNAP_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 2400, height: 800 } });
  await page.setContent(html);
  await page.waitForLoadState('load');
  const out = 'docs/contact-sheet.png';
  writeFileSync(out, await page.screenshot({ fullPage: true }));
  console.log(`${out}: ${cells.length} screenshots`);
} finally {
  await browser.close();
}
