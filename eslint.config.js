// ESLint (flat config): typescript-eslint over everything, type-aware where it is cheap (one project service),
// and lit + web-component rules for the client. `npm run lint`; `npm test` runs it first.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { configs as litConfigs } from 'eslint-plugin-lit';
import { configs as wcConfigs } from 'eslint-plugin-wc';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'bench/peers/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      // type-aware, and cheap: promises nobody waits for or catches are how errors got lost in the page
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false, arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // `x!` after a check the compiler cannot follow (a Map get after has, a DOM query of our own markup) is the codebase's idiom
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['client/src/**/*.ts'],
    ...litConfigs['flat/recommended'],
  },
  {
    files: ['client/src/**/*.ts'],
    ...wcConfigs['flat/recommended'],
  },
  {
    files: ['client/src/**/*.ts'],
    rules: {
      // components set their properties' defaults in the constructor (no decorators, useDefineForClassFields off)
      'wc/no-constructor-attributes': 'error',
      // the pad's entries render into their section's shadow root on purpose (cp-entry: createRenderRoot)
      'wc/guard-super-call': 'off',
    },
  },
  {
    files: ['server/**/*.ts', 'shared/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      // a spread into a call passes every element as an argument: past ~100,000 it overflows the stack (a commit of
      // a flood of updates ended the process that way); append in a loop, reduce, or chunk
      'no-restricted-syntax': [
        'error',
        { selector: 'CallExpression > SpreadElement', message: 'No spread into a call: a large array overflows the stack. Loop, reduce or chunk.' },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // tests read untyped JSON answers and reach into internals on purpose
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
);
