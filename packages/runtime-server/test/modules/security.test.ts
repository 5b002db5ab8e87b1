import { afterAll } from "vitest";
import { runSecurityCases } from "../helpers/security-cases.js";
import { appBundle, moduleRuntime } from "./helpers.js";

// Module routes get the same auth attacks as every other user route.
const bundle = appBundle();
afterAll(() => bundle.cleanup());

runSecurityCases("module routes", async () => (await moduleRuntime(bundle.dir)).app, [
  { method: "GET", path: "/api/modules" },
  { method: "POST", path: "/api/modules/notifications/create", body: { title: "hi" } },
  { method: "POST", path: "/api/modules/audit/list", body: {} },
]);
