// Worker bootstrap: waits for one job message, runs that plugin execution, replies, and is
// then terminated by the runner. Plain JavaScript so Node can start it both from src/
// (tests) and from dist/ (copied by scripts/copy-assets.mjs); TypeScript entries are
// compiled on the fly by tsx.
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";

// Captured before plugin code runs, so a plugin that patches globals cannot break the reply.
const post = parentPort.postMessage.bind(parentPort);
const stringify = JSON.stringify;
const byteLength = Buffer.byteLength;
const TYPESCRIPT_ENTRY = /\.[cm]?ts$/;

// Registered before the job arrives, so a warm spare has already paid for it.
let typescript = workerData?.typescript === true ? registerTsx() : undefined;
// A failure here is reported with the job, not as an unhandled rejection of an idle worker.
typescript?.catch(() => {});

parentPort.once("message", (job) => {
  run(job).catch((err) => post({ kind: "error", error: describe(err) }));
});

function registerTsx() {
  return import("tsx/esm/api").then(({ register }) => {
    register();
  });
}

/** @param {unknown} err */
function describe(err) {
  if (err instanceof Error) return { name: err.name, message: String(err.message), stack: err.stack };
  if (typeof err === "string") return { name: "Error", message: err };
  try {
    return { name: "Error", message: `non-Error value thrown: ${stringify(err) ?? String(err)}` };
  } catch {
    return { name: "Error", message: `non-Error value thrown: ${Object.prototype.toString.call(err)}` };
  }
}

/** @param {string} message */
function outputError(message) {
  return { name: "PluginOutputError", message };
}

/** @param {Record<string, unknown>} mod */
function findExecute(mod) {
  if (typeof mod.execute === "function") return mod.execute;
  // CommonJS entries arrive as `default` (module.exports).
  const def = mod.default;
  if (typeof def === "function") return def;
  if (def && typeof def === "object" && typeof def.execute === "function") return def.execute;
  return undefined;
}

/** @param {{ entryPath: string, data: Record<string, unknown>, maxOutputBytes: number }} job */
async function run({ entryPath, data, maxOutputBytes }) {
  if (TYPESCRIPT_ENTRY.test(entryPath)) {
    typescript ??= registerTsx();
    await typescript;
  }
  const mod = await import(pathToFileURL(entryPath).href);
  const execute = findExecute(mod);
  if (!execute) {
    post({
      kind: "error",
      error: outputError("the entry module does not export an execute(data, context) function"),
    });
    return;
  }
  const context = data !== null && typeof data === "object" ? (data._context ?? null) : null;
  const output = await execute(data, context);

  let json;
  try {
    // A plugin that returns nothing answers `null`, as an empty JSON body would be invalid.
    json = stringify(output === undefined ? null : output);
  } catch (err) {
    post({ kind: "error", error: outputError(`output is not JSON-serializable: ${describe(err).message}`) });
    return;
  }
  if (typeof json !== "string") {
    post({ kind: "error", error: outputError(`output is not JSON-serializable: got a ${typeof output}`) });
    return;
  }
  const bytes = byteLength(json, "utf8");
  if (bytes > maxOutputBytes) {
    post({
      kind: "error",
      error: outputError(`output too large: ${bytes} bytes exceeds the limit of ${maxOutputBytes} bytes`),
    });
    return;
  }
  post({ kind: "result", json });
}
