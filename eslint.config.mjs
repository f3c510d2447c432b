// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const contexts = ['identity', 'patients', 'practitioners', 'invitations', 'notifications', 'applications', 'oidc'];

const PROCESS_ENV = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message: 'Read configuration through ConfigService; only config files touch process.env.',
};
const SQL_START = '/^\\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\\s/';
const SQL_HOME = "SQL lives in the context's infrastructure/ repositories; call a repository method named in the domain's words.";
/** Statements and query calls outside infrastructure/ (STYLE.md: SQL has one home). */
const SQL_OUTSIDE_INFRASTRUCTURE = [
  {
    selector: "CallExpression[callee.property.name=/^(query|queryOutsideTransaction)$/]:not([callee.object.type='ThisExpression'])",
    message: SQL_HOME,
  },
  { selector: `Literal[value=${SQL_START}]`, message: SQL_HOME },
  { selector: `TemplateLiteral[quasis.0.value.raw=${SQL_START}]`, message: SQL_HOME },
];
/** Code (not tests, migrations or generated files) whose functions and files are kept short. */
const SHORT_CODE = ['apps/**/*.ts', 'libs/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'];
const NOT_SHORT = ['**/*.spec.ts', '**/*.e2e-spec.ts', 'libs/*/src/infrastructure/migrations/**', 'libs/sdk/src/generated/**'];

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
      'no-restricted-syntax': ['error', PROCESS_ENV],
    },
  },
  // SQL has one home: a context's infrastructure/.
  {
    files: ['libs/*/src/application/**/*.ts', 'libs/*/src/api/**/*.ts', 'libs/*/src/domain/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: { 'no-restricted-syntax': ['error', PROCESS_ENV, ...SQL_OUTSIDE_INFRASTRUCTURE] },
  },
  // Short functions and files.
  {
    files: SHORT_CODE,
    ignores: NOT_SHORT,
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
      'max-lines': ['error', { max: 450, skipBlankLines: true, skipComments: true }],
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
      'apps/api/src/tracing.ts',
      'test/**',
      'scripts/**',
      'bench/**',
      'apps/api/src/data-source.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
