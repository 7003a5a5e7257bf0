/**
 * What counts as a workspace and as test code, for the boundary checks: the dependency-cruiser rules
 * (.dependency-cruiser.cjs) and the workspace graph test (stack/src/testing/workspace-graph.ts) read these.
 */
/** A workspace folder at the start of a path: platform, new-services/users, … */
const WORKSPACE = '(platform|testkit|unleash-admin|legacy|new-services/[^/]+|cdc|edge|cli|contracts|stack)';
/** Test code: test files, test support (src/testing/, the conformance suites, the test kit), and benches. */
const TEST_CODE = '([.]test[.]ts$|/src/testing/|/src/conformance/|^[^/]+/bench/|^testkit/)';

module.exports = { WORKSPACE, TEST_CODE };
