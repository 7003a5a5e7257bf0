/**
 * Architectural boundaries, checked in `npm test` (module by module here; workspace by workspace — no cycles,
 * every import declared — in stack/src/boundaries.test.ts, on the graph dependency-cruiser builds).
 * The strangler only works if extracted services stand alone and the edge stays a thin router.
 */
const { WORKSPACE, TEST_CODE } = require('./scripts/workspace-patterns.cjs');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-relative-imports-across-workspaces',
      comment: 'A workspace reaches another only by its package name, through the exports that package declares.',
      severity: 'error',
      from: { path: `^${WORKSPACE}/` },
      to: { path: `^${WORKSPACE}/`, pathNot: '^$1/', dependencyTypes: ['local'] },
    },
    {
      name: 'new-services-never-import-legacy',
      comment: 'An extracted service owns its code and data; it must not reach back into the monolith.',
      severity: 'error',
      from: { path: '^new-services/' },
      to: { path: '^legacy/' },
    },
    {
      name: 'new-services-stand-alone',
      comment: 'One extracted service does not import another one\'s internals.',
      severity: 'error',
      from: { path: '^new-services/([^/]+)/' },
      to: { path: '^new-services/', pathNot: '^new-services/$1/' },
    },
    {
      name: 'cdc-production-code-never-imports-legacy',
      comment: 'The projectors know the monolith only through its change events; its tests may build a legacy to capture from.',
      severity: 'error',
      from: { path: '^cdc/', pathNot: TEST_CODE },
      to: { path: '^legacy/' },
    },
    {
      name: 'cdc-uses-only-the-projection-api-of-services',
      comment: "A projector writes through the service's exported projection (src/projection/), never its other internals.",
      severity: 'error',
      // Tests may also create a service's schema (its migrations) to project into.
      from: { path: '^cdc/', pathNot: TEST_CODE },
      to: { path: '^new-services/[^/]+/', pathNot: '^new-services/[^/]+/src/projection([.]ts|/index[.]ts)$' },
    },
    {
      name: 'edge-imports-no-service-internals',
      comment: 'The edge routes by configuration; it knows backends only as URLs.',
      severity: 'error',
      from: { path: '^edge/' },
      to: { path: '^(legacy|new-services|cdc)/' },
    },
    {
      name: 'platform-imports-no-app-package',
      comment: 'platform/ is the shared kernel: everything may depend on it, it depends on no app package.',
      severity: 'error',
      from: { path: '^platform/' },
      to: { path: `^${WORKSPACE}/`, pathNot: '^platform/' },
    },
    {
      name: 'unleash-admin-imports-only-platform',
      comment: 'The Unleash admin client is shared by the CLI and the launcher, so it can depend on neither.',
      severity: 'error',
      from: { path: '^unleash-admin/' },
      to: { path: `^${WORKSPACE}/`, pathNot: '^(unleash-admin|platform)/' },
    },
    {
      name: 'production-code-imports-no-test-harness',
      comment: 'Test support (fakes, test databases, the test kit) is for tests only.',
      severity: 'error',
      from: { path: '/src/', pathNot: TEST_CODE },
      to: { path: '(/src/testing/|^testkit/)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(node_modules|dist|\\.stack)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['development', 'import', 'types', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
    // Workspace packages are symlinked into node_modules; resolve them to their real folders.
    preserveSymlinks: false,
  },
};
