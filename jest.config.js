// One jest run, two projects: unit tests need no servers; integration tests get real
// Postgres, Redis, Kafka and Elasticsearch from libs/testing (see README "Tests").
const { readFileSync } = require('node:fs');
const swcrc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
const paths = JSON.parse(readFileSync(`${__dirname}/tsconfig.base.json`, 'utf8')).compilerOptions
  .paths;
const moduleNameMapper = Object.fromEntries(
  Object.entries(paths).map(([alias, [target]]) => [
    `^${alias.replace('/', '\\/')}$`,
    `<rootDir>/${target}`,
  ]),
);
// Packages that ship ES modules only (content-disposition 3 under @fastify/static, jose 6,
// uuid 12+): Node >= 20.19 require()s them natively, jest's loader does not, so swc compiles
// them to CommonJS.
const esmOnly = ['@nestjs', 'content-disposition', 'jose', 'uuid'];
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', swcrc],
    [`/node_modules/(${esmOnly.join('|')})/.+\\.js$`]: ['@swc/jest', swcrc],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'json'],
};
// The heavy suites start a whole platform under load (replicas: 22 processes; chaos: a mixed
// load and faults; api-fuzz: schemathesis's thousands of requests, answered within its
// 10 s response limit, and the gateway's Redis checks within their bounded waits, which a
// neighbour's browser or platform on the same 2 cores made it miss). On a 2-core machine every
// suite beside them misses its deadlines, so
// `npm test` runs them in a second jest run of their own, one at a time (tools/test.sh):
// EMPORIA_JEST_HEAVY=skip leaves them out, =only runs nothing else; unset, both.
const heavy = [
  '<rootDir>/e2e/replicas.int-spec.ts',
  '<rootDir>/e2e/chaos.int-spec.ts',
  '<rootDir>/e2e/api-fuzz.int-spec.ts',
];
const heavyMode = process.env.EMPORIA_JEST_HEAVY ?? '';
if (!['', 'skip', 'only'].includes(heavyMode))
  throw new Error(`EMPORIA_JEST_HEAVY: "${heavyMode}" (give skip or only, or leave it unset)`);
const integrationMatch = [
  '<rootDir>/{apps,libs}/*/test/**/*.int-spec.ts',
  '<rootDir>/e2e/**/*.int-spec.ts',
];
module.exports = {
  // a worker that ran many suites holds what they leaked (Nest apps, clients, compiled modules):
  // one grew past V8's heap limit and crashed mid-run ("Jest worker ran out of memory"); a worker
  // above this after a test file is replaced by a fresh one
  workerIdleMemoryLimit: '2GB',
  projects: [
    heavyMode !== 'only' && {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs}/*/src/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: heavyMode === 'only' ? heavy : integrationMatch,
      ...(heavyMode === 'skip'
        ? {
            testPathIgnorePatterns: [
              '/node_modules/',
              ...heavy.map((h) => h.replace('<rootDir>', __dirname)),
            ],
          }
        : {}),
      globalSetup: '<rootDir>/libs/testing/src/jest-global-setup.ts',
      // two minutes per test (a project's `testTimeout` is ignored by jest-circus)
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest-integration-setup.ts'],
    },
  ].filter(Boolean),
};
