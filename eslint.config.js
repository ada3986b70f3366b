// Lint rules for the TypeScript sources (npm run check; formatting is Prettier's, so no style rules here).
// Strict indexing (noUncheckedIndexedAccess) has one answer: `xs[i]!`, never `xs[i] as number`
// (@typescript-eslint/non-nullable-type-assertion-style enforces it and fixes it).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'build/',
      '.gpu/', // training/gpu_image_prepare.sh: a bundle and packed records for a rented GPU machine
      '.astro/',
      'data/',
      'public/',
      'tests/fixtures/',
      'test-results/',
      'playwright-report/',
      'scripts/sw-template.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/non-nullable-type-assertion-style': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
);
