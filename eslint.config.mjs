// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const contexts = ['identity', 'patients', 'practitioners', 'invitations', 'notifications'];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '.data/**',
      'libs/sdk/dist/**',
      'libs/sdk/src/generated/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through ConfigService; only config files touch process.env.',
        },
      ],
    },
  },
  // A context's internals are its own: others import only its public surface (`@careid/<context>`).
  ...contexts.map((context) => ({
    files: [`libs/!(${context})/**/*.ts`, 'apps/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [`@careid/${context}/*`, `**/libs/${context}/**`], message: `Import from '@careid/${context}' (its index) only.` },
          ],
        },
      ],
    },
  })),
  // Configuration and test tooling may read the environment.
  {
    files: [
      'libs/shared/src/config/**',
      'apps/api/src/serve.ts',
      'apps/api/src/thread-pool.ts',
      'test/**',
      'scripts/**',
      'bench/**',
      'apps/api/src/data-source.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
