// Unit, integration and infrastructure tests apart, so a developer can run one project
// (`npx jest --selectProjects unit`) and `npm test` runs all three.
const shared = {
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // middy 6 and jose ship ESM only: let swc turn them into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|jose)/)'],
  setupFiles: ['<rootDir>/test/support/test-environment.ts'],
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
module.exports = {
  // DynamoDB Local on two shared cores: contention tests take seconds, not milliseconds.
  // (testTimeout is a global option; jest ignores it inside a project.)
  testTimeout: 30_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      // Handlers log at INFO here, as in AWS; every line is captured and checked for secrets.
      setupFiles: ['<rootDir>/test/support/test-environment.ts', '<rootDir>/test/support/log-level-info.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/capture-logs.ts', '<rootDir>/test/support/policy-audit.ts'],
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    { ...shared, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
  ],
};
