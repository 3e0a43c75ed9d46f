// Three projects so `jest --selectProjects unit` gives a fast loop, while the
// default run takes everything. Integration and e2e suites start real servers,
// workers and browsers, so they run one file at a time per jest worker.
const transform = { '^.+\\.(t|j)sx?$|^.+\\.cjs$': ['@swc/jest', { jsc: { target: 'es2023' } }] };
// jose ships ES modules only; let swc turn it into CommonJS for jest. PGlite's
// CommonJS build loads node modules with import(), which jest's VM refuses
// without --experimental-vm-modules; swc rewrites those into require().
const transformIgnorePatterns = ['/node_modules/(?!(jose|@electric-sql/pglite)/)'];

const project = (name) => ({
  displayName: name,
  testMatch: [`<rootDir>/tests/${name}/**/*.test.ts`],
  transform,
  transformIgnorePatterns,
  testEnvironment: 'node',
  setupFilesAfterEnv: [`<rootDir>/tests/helpers/setup/${name}.ts`],
});

module.exports = {
  projects: [project('unit'), project('integration'), project('e2e')],
  maxWorkers: 2,
};
