import { existsSync } from "node:fs";
import path from "node:path";
import { tempDir } from "@mozaiks/test-utils";
import { describe, expect, it } from "vitest";
import { formatPackIssue, loadCatalog, loadPack, moduleExports } from "../src/index.js";
import { edit, tempCatalog, write } from "./helpers.js";

const messages = (root: string) => loadCatalog(root, { displayRoot: root }).issues.map(formatPackIssue);
const NOTIFICATIONS = "public/notifications/app_overlay/modules/notifications";

describe("handler exports are checked when a pack is validated", () => {
  it("refuses an action whose handler function is not exported, naming the action and the YAML path", () => {
    const root = tempCatalog();
    edit(
      path.join(root, NOTIFICATIONS, "backend/handler.ts"),
      /export const mark_read =/,
      "const mark_read_unused =",
    );
    expect(messages(root)).toEqual([
      expect.stringMatching(
        /^public\/notifications\/app_overlay\/modules\/notifications\/module\.yaml:\d+:\d+ \$\.actions\[2\]\.name: backend\/handler\.ts does not export mark_read\(\), the handler of action mark_read \[handler_export_missing\]$/,
      ),
    ]);
  });

  it("checks handler_method and reaction handlers too, and a type-only export is not a function", () => {
    const root = tempCatalog();
    const mod = path.join(root, NOTIFICATIONS, "module.yaml");
    edit(mod, "  - name: list\n", "  - name: list\n    handler_method: listAll\n");
    write(
      path.join(root, NOTIFICATIONS, "backend/extra.ts"),
      "export type listAll = () => void;\nexport interface Other {}\n",
    );
    edit(path.join(root, NOTIFICATIONS, "backend/handler.ts"), /^/, 'export * from "./extra.js";\n');
    const audit = path.join(root, "public/audit/app_overlay/modules/audit/backend/handler.ts");
    edit(audit, "export const record_notification_event", "const record_notification_event");
    const issues = messages(root);
    expect(issues).toContainEqual(
      expect.stringMatching(
        /\$\.actions\[1\]\.handler_method: backend\/handler\.ts does not export listAll\(\), the handler of action list \[handler_export_missing\]$/,
      ),
    );
    expect(issues).toContainEqual(
      expect.stringMatching(
        /audit\/module\.yaml:\d+:\d+ \$\.reaction_handlers\[0\]\.method: backend\/handler\.ts does not export reaction handler record_notification_event\(\) \[handler_export_missing\]$/,
      ),
    );
  });

  it("never runs the handler: a file that would throw or hang on import is only parsed", () => {
    const root = tempCatalog();
    const marker = path.join(root, "ran.txt");
    edit(
      path.join(root, NOTIFICATIONS, "backend/handler.ts"),
      /^/,
      `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "x");\nwhile (true) {}\n`,
    );
    expect(loadPack(path.join(root, "public/notifications")).issues).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });

  it("checks the attribute a runtime extension entrypoint names", () => {
    const root = tempCatalog();
    const modDir = path.join(root, "public/audit/app_overlay/modules/audit");
    write(
      path.join(modDir, "runtime_extensions.yaml"),
      "schema_version: mozaiks.runtime_extensions.v1\nextensions:\n  - kind: startup_service\n    entrypoint: backend.subscriber:Subscriber\n",
    );
    write(path.join(modDir, "backend/subscriber.ts"), "export class Other {}\n");
    expect(messages(root)).toContainEqual(
      "public/audit/app_overlay/modules/audit/runtime_extensions.yaml:4:17 $.extensions[0].entrypoint: backend/subscriber.ts does not export Subscriber, the startup_service of entrypoint backend.subscriber:Subscriber [handler_export_missing]",
    );
  });
});

describe("moduleExports", () => {
  it("lists value exports of every ES module form and follows relative re-exports", () => {
    const dir = tempDir("mozaiks-packs-");
    write(
      path.join(dir, "main.ts"),
      [
        "export const a = 1, { b, c: d } = { b: 2, c: 3 }, [e] = [4];",
        "export function f() {}",
        "export async function g() {}",
        "export class H {}",
        "export enum I { X }",
        "const j = 1; const k = 2;",
        "export { j, k as kk, type Z };",
        "export default function () {}",
        "export type T = string;",
        "export interface U {}",
        "export declare const v: number;",
        'export * from "./more.js";',
        'export * as ns from "./more.js";',
        'export { m as renamed } from "./more.js";',
        "type Z = number;",
      ].join("\n"),
    );
    write(path.join(dir, "more.ts"), "export const m = 1;\nexport function n() {}\nexport default 5;\n");
    const r = moduleExports(path.join(dir, "main.ts"));
    expect(r.problems).toEqual([]);
    expect([...r.names].sort()).toEqual(
      ["a", "b", "d", "e", "f", "g", "H", "I", "j", "kk", "default", "m", "n", "ns", "renamed"].sort(),
    );
  });

  it("reports re-exports it cannot follow", () => {
    const dir = tempDir("mozaiks-packs-");
    write(
      path.join(dir, "main.js"),
      'export * from "some-package";\nexport * from "./gone.js";\nexport { nope } from "./more.js";\n',
    );
    write(path.join(dir, "more.js"), "export const yes = 1;\n");
    const r = moduleExports(path.join(dir, "main.js"));
    expect(r.problems).toEqual([
      "re-exports from package some-package; pack backends may import relative files only",
      "re-exports from ./gone.js, which does not exist",
      "re-exports nope from ./more.js, which does not export it",
    ]);
    expect([...r.names]).toEqual([]);
  });
});
