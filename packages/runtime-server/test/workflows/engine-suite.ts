import { join } from "node:path";
import type { ExecutionContext } from "@mozaiks/contracts";
import { afterAll } from "vitest";
import { createLaunchKeys, type LaunchKeys } from "../../src/control/workflows/launch-keys.js";
import { loadPlugins, PluginRunner } from "../../src/engine/plugins/index.js";
import { WorkflowEngine, type WorkflowEngineDeps } from "../../src/engine/workflows/index.js";
import { NOW, NOW_S } from "../helpers/keys.js";
import { EXAMPLE_APP } from "../helpers/runtime.js";

/**
 * Claims of a launch token for `workflow`: user-1 of example-app, run run-1, issued at the
 * tests' clock for 15 minutes, granting the workflow's capability and nothing else unless
 * `scope` says so; `over` replaces top-level claims.
 */
export function launchClaims(
  workflow: string,
  scope: Partial<ExecutionContext["scope"]> = {},
  over: Partial<ExecutionContext> = {},
): ExecutionContext {
  return {
    iss: "mozaiks-runtime",
    aud: "mozaiks-engine",
    sub: "user-1",
    iat: NOW_S,
    exp: NOW_S + 900,
    jti: "jti-1",
    run_id: "run-1",
    app_id: "example-app",
    user_id: "user-1",
    workflow_id: workflow,
    scope: {
      workflow: `cap.workflow.${workflow}`,
      tools: [],
      artifacts: [],
      token_allowance: null,
      token_enforcement: "soft",
      max_tool_calls: null,
      ...scope,
    },
    ...over,
  };
}

/** A workflow engine built by {@link engineSuite}, with the tool calls that reached its runner. */
export interface CountingEngine {
  engine: WorkflowEngine;
  toolCalls(): number;
}

/**
 * For a test file that drives the engine without the control layer: a launch key pair and
 * `engine()`, a WorkflowEngine over the example app's plugins (one runner for the file,
 * closed after its last test) at the tests' clock; `deps` replaces any of its services.
 */
export async function engineSuite(): Promise<{
  keys: LaunchKeys;
  engine(deps?: Partial<WorkflowEngineDeps>): CountingEngine;
}> {
  const keys = await createLaunchKeys();
  const { plugins } = await loadPlugins(join(EXAMPLE_APP, "plugins"));
  const runner = new PluginRunner({ timeoutMs: 10_000 });
  afterAll(() => runner.close());
  return {
    keys,
    engine(deps = {}) {
      let toolCalls = 0;
      const engine = new WorkflowEngine({
        launchKey: keys.publicKey,
        plugins: (name) => plugins.find((p) => p.descriptor.name === name),
        runner: {
          run: (plugin, data) => {
            toolCalls += 1;
            return runner.run(plugin, data);
          },
        },
        now: () => NOW,
        ...deps,
      });
      return { engine, toolCalls: () => toolCalls };
    },
  };
}
