// Lint rules, and the import direction of the architecture (see README):
// shared ← media ← server, shared ← client. A wrong-way import is a lint error.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const zone = (files, patterns, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group, message })) }] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'scripts/mediasoup-worker/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
    },
  },
  { files: ['client/**'], languageOptions: { globals: { ...globals.browser } } },
  // The entry point, CLIs, tests and benchmarks may print.
  {
    files: ['server/index.ts', 'server/cli/**', 'tests/**', 'bench/**', '*.js', '*.mjs'],
    rules: { 'no-console': 'off' },
  },
  zone(
    ['shared/**'],
    [['**/server/**', '**/media/**', '**/client/**', 'mediasoup', 'socket.io', 'express', 'redis', 'react']],
    'shared/ holds the wire contract: zod and `import type` only.',
  ),
  zone(
    ['media/**'],
    [['**/server/**', '**/client/**', 'socket.io', 'socket.io-client', 'express', 'redis', 'yjs']],
    'media/ is the SFU layer: it knows nothing of sockets, HTTP, Redis or Yjs.',
  ),
  zone(
    ['client/**'],
    [['**/server/**', '**/media/**', 'mediasoup', 'express', 'socket.io', 'redis']],
    'client/ imports shared/ and mediasoup-client only.',
  ),
);
