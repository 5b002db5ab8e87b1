// Declarative workflow execution (engine layer: runs inside a verified launch scope, never authorizes).
export {
  type RunEventSink,
  WorkflowEngine,
  type WorkflowEngineDeps,
  type WorkflowRunJob,
  type WorkflowRunResult,
} from "./engine.js";
export {
  isLaunchTokenError,
  LAUNCH_TOKEN_AUDIENCE,
  LAUNCH_TOKEN_ISSUER,
  LaunchTokenError,
  type LaunchVerifyKey,
  verifyLaunchToken,
} from "./launch-token.js";
export { countTokens, LOCAL_MODEL, type LocalCompletion, summarize } from "./local-model.js";
export { resolveTemplate, type TemplateScope } from "./template.js";
export { ToolDispatcher, type ToolRunner, WorkflowStepError } from "./tool-dispatcher.js";
