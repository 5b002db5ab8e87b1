import { buildTestRuntime } from "../helpers/runtime.js";
import { runSecurityCases } from "../helpers/security-cases.js";
import { appBundle } from "./helpers.js";

// Module routes get the same auth attacks as every other user route.
const bundle = appBundle();

runSecurityCases(
  "module routes",
  async () => (await buildTestRuntime({ appPath: bundle, modules: {} })).app,
  [
    { method: "GET", path: "/api/modules" },
    { method: "POST", path: "/api/modules/notifications/create", body: { title: "hi" } },
    { method: "POST", path: "/api/modules/audit/list", body: {} },
  ],
);
