// ESLint flat config: typed TypeScript rules, Prettier compatibility, and Nx module boundaries
// that forbid one service importing another (CONVENTIONS.md §11, ARCHITECTURE.md "Layout").
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';

const services = [
  'gateway',
  'catalog',
  'search',
  'user',
  'order',
  'marketing',
  'risk',
  'analytics',
  'support',
  'review',
  'notification',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.local/**',
      '.nx/**',
      'libs/contracts/src/gen/**',
      'libs/sdk/src/gen/**',
      '**/*.js',
      '**/*.mjs',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/libs/*/src/**', '**/apps/*/src/**'],
              message: 'import a lib by its @emporia/* entry, never by path',
            },
          ],
        },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'kind:pure', onlyDependOnLibsWithTags: ['kind:pure'] },
            ...services.map((s) => ({
              sourceTag: `scope:${s}`,
              onlyDependOnLibsWithTags: [`scope:${s}`, 'scope:shared'],
            })),
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
    },
  },
  {
    // domain/: plain TypeScript rules. No framework, no ORM, no I/O, nothing from outer layers.
    files: ['apps/*/src/domain/**/*.ts'],
    ignores: ['apps/*/src/domain/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@nestjs/*',
                'typeorm',
                'pg',
                'kafkajs',
                'ioredis',
                '@elastic/*',
                '@grpc/*',
                'node:*',
                'fs',
                'net',
                'http',
              ],
              message: 'domain/ is plain TypeScript: no framework, ORM or I/O',
            },
            {
              group: ['@emporia/*', '!@emporia/money', '!@emporia/domain'],
              message: 'domain/ may only use the pure @emporia/money and @emporia/domain libs',
            },
            {
              group: [
                '../application/*',
                '../infrastructure/*',
                '../interface/*',
                '../*.module',
                '../main',
              ],
              message: 'domain/ imports nothing outside itself',
            },
          ],
        },
      ],
    },
  },
  {
    // application/: use cases and ports; adapters and transports stay outside.
    files: ['apps/*/src/application/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['typeorm', 'pg', 'kafkajs', 'ioredis', '@elastic/*', '@grpc/*'],
              message: 'application/ talks to the outside through ports',
            },
            {
              group: ['../infrastructure/*', '../interface/*'],
              message: 'application/ must not depend on adapters',
            },
          ],
        },
      ],
    },
  },
  {
    // the operator console: a browser app; accessibility (jsx-a11y) and hooks rules
    files: ['apps/console/**/*.{ts,tsx}'],
    ...jsxA11y.flatConfigs.strict,
    plugins: { ...jsxA11y.flatConfigs.strict.plugins, 'react-hooks': reactHooks },
    languageOptions: {
      ...jsxA11y.flatConfigs.strict.languageOptions,
      // the browser code, and its tests run by jest in Node
      parserOptions: {
        projectService: false,
        project: ['apps/console/tsconfig.json', 'apps/console/tsconfig.spec.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      ...jsxA11y.flatConfigs.strict.rules,
      ...reactHooks.configs.recommended.rules,
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/test/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
