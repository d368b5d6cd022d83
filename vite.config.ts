import { defineConfig } from 'vite';

// The renderer: plain React over the typed client; no Node in the page.
export default defineConfig({
  root: 'renderer',
  base: './',
  esbuild: { jsx: 'automatic' },
  build: { outDir: '../dist/renderer', emptyOutDir: true, sourcemap: true },
});
