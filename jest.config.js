/** Two projects: fast unit specs beside the code, and e2e specs that boot the real app on a real PostgreSQL. */
const moduleNameMapper = {
  '^@careid/([a-z-]+)$': '<rootDir>/libs/$1/src',
  '^@careid/([a-z-]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
  // The SDK is also built as native ESM, so its relative imports name the emitted `.js` files.
  '^(\\.{1,2}/.*)\\.js$': '$1',
};
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };

module.exports = {
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts'],
      transform,
      moduleNameMapper,
    },
    {
      displayName: 'e2e',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      transform,
      moduleNameMapper,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/setup-after-env.ts'],
      slowTestThreshold: 30,
    },
  ],
  testTimeout: 60000,
};
