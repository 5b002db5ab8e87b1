import { buildTestRuntime } from "../helpers/runtime.js";
import { runSecurityCases, WORKFLOW_USER_ROUTES } from "../helpers/security-cases.js";

runSecurityCases(
  "workflow routes",
  async () => (await buildTestRuntime()).app,
  WORKFLOW_USER_ROUTES.map((r) => r.route),
);
