// The module's backend on the runtime's own module store and migration runner (an in-memory
// runtime database), with a frozen clock and sequential ids.
export { createModuleHarness as createHarness, type ModuleHarness as Harness } from "@mozaiks/runtime-server";
