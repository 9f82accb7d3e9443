// jest for the deployment checks (tools/*.spec.ts; tools/helm-check.sh runs it once helm and
// deploy-lint are built): the unit project's TypeScript transform and path aliases.
const { projects } = require('../jest.config.js');
const unit = projects.find((p) => p.displayName === 'unit');
module.exports = { ...unit, displayName: 'deploy', testMatch: ['<rootDir>/tools/**/*.spec.ts'] };
