// Worker bootstrap: runs exactly one plugin execution, then the runner terminates the thread.
// Plain JavaScript so Node can start it both from src/ (tests) and from dist/ (copied by
// scripts/copy-assets.mjs); TypeScript entries are compiled on the fly by tsx.
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";

// Captured before plugin code runs, so a plugin that patches globals cannot break the reply.
const post = parentPort.postMessage.bind(parentPort);
const stringify = JSON.stringify;
const byteLength = Buffer.byteLength;

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

async function main() {
  const { entryPath, data, maxOutputBytes } = workerData;
  if (/\.[cm]?ts$/.test(entryPath)) {
    const { register } = await import("tsx/esm/api");
    register();
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

main().catch((err) => post({ kind: "error", error: describe(err) }));
