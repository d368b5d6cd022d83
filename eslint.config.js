import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Type-aware lint, and the layer rules of STYLE.md: shared/ imports no node, electron or DOM;
// renderer/ imports only shared/ and itself; electron/ never imports renderer/.
const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'stream', 'util', 'events'];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'e2e/artifacts/**', 'bin/**', '*.config.*', 'scripts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Async functions that satisfy a Promise-returning interface need no await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...nodeBuiltins, 'electron', 'react', 'react-dom', '../electron/*', '../renderer/*'] },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...nodeBuiltins, 'electron', '../electron/*', '../../electron/*', 'dockerode', 'better-sqlite3'] },
      ],
    },
  },
  {
    files: ['electron/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../renderer/*', '../../renderer/*', '../../../renderer/*'] }],
    },
  },
  // Thin adapters: SQL lives in electron/store/, Engine calls in electron/docker/. Elsewhere
  // neither better-sqlite3 nor dockerode is imported, not even for types: a service takes the
  // adapter's `EngineClient` (electron/docker/engine.ts) through its constructor.
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/store/**', 'electron/docker/**', '**/*.test.ts', '**/*.test-util.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'better-sqlite3', message: 'SQL belongs in electron/store/.' },
            {
              name: 'dockerode',
              message:
                "Engine calls belong in electron/docker/; for the client's type import EngineClient from electron/docker/engine.ts.",
            },
          ],
        },
      ],
    },
  },
);
