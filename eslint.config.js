// ESLint 9 flat config: typescript-eslint's type-aware recommended rules over the TypeScript sources,
// eslint-config-prettier last so no stylistic rule fights Prettier (`npm run lint` runs both).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'reports/', '.stryker-tmp/', 'bench/pepr/', 'charts/', 'certs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // the codebase's convention (as tsc's noUnusedParameters): a leading _ marks a deliberately unused parameter
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      // messages quote untyped manifest values with String() on purpose (a number, a string or a bool; objects are caught before)
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    // commander hands each action an untyped option bag (OptionValues = Record<string, any>); the options are declared just above
    files: ['src/cli/main.ts'],
    rules: { '@typescript-eslint/no-unsafe-argument': 'off', '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/no-unsafe-member-access': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // node:test's describe()/it()/test() return promises the runner itself awaits; awaiting each in the test files is noise
      '@typescript-eslint/no-floating-promises': 'off',
      // tests and benchmarks read parsed YAML/JSON and API responses (any) and assert on their fields: the assertion is the check
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // fakes and harness hooks implement async interfaces (Promise-returning callbacks) without needing an await
      '@typescript-eslint/require-await': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked, languageOptions: { globals: globals.node } },
  prettier,
);
