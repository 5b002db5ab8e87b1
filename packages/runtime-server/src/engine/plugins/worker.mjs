// Worker bootstrap of the plugin pool: a long-lived thread that runs one job at a time,
// each `{ id, entryPath, data }`, and answers `{ id, kind: "result" | "error", … }`. Entry
// modules are imported once per worker and cached. Plain JavaScript so Node can start it
// both from src/ (tests) and from dist/ (copied by scripts/copy-assets.mjs).
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";

// Captured before plugin code runs, so a plugin that patches globals cannot break the reply.
const post = parentPort.postMessage.bind(parentPort);
const stringify = JSON.stringify;
const byteLength = Buffer.byteLength;
const TYPESCRIPT_ENTRY = /\.[cm]?ts$/;
/** @type {number} */
const maxOutputBytes = workerData.maxOutputBytes;

// tsx is loaded on the first TypeScript entry this worker imports, not at start: it adds
// ~300 ms to every worker start (measured on 2 vCPUs: ~50 ms bare, ~370 ms with tsx), which
// JS-only bundles would pay again after each timeout or crash replacement.
//
// TypeScript entries go through tsx's scoped `tsImport` (its own ESM and CommonJS hooks,
// keyed to that import), never a process-wide `register()`: a global hook takes over how
// every later `.js` entry loads, and in a bundle with no package.json above it (deployed
// outside any project) it turned ESM `.js` plugins into "Cannot require() ES Module … in a
// cycle". Plain JavaScript is imported by Node itself, which decides the format per file
// (`.mjs`/`.cjs`, the nearest package.json "type", else the file's syntax).
/** @type {Promise<(specifier: string, parent: string) => Promise<any>> | undefined} */
let typescript;
/** @type {Map<string, Promise<Function | undefined>>} entry path → its execute function */
const modules = new Map();

// Must match PLUGIN_MARK in log-lines.ts.
const PLUGIN_MARK = "\u0001mozaiks-plugin\u0001";
const writeOut = process.stdout.write.bind(process.stdout);
const writeErr = process.stderr.write.bind(process.stderr);
let lastPlugin = "";

// Output is bounded per call here, before it crosses to the server: a plugin printing
// 100 MB would otherwise make the server buffer and split all of it. The first
// `maxLogBytes` of stdout + stderr pass; the rest is counted, dropped and reported.
/** @type {number} */
const maxLogBytes = workerData.maxLogBytes;
let logLeft = maxLogBytes;
let dropped = 0;
process.stdout.write = bounded(writeOut);
process.stderr.write = bounded(writeErr);

/** @param {(chunk: any, encoding?: any, cb?: any) => boolean} write */
function bounded(write) {
  return (/** @type {any} */ chunk, /** @type {any} */ encoding, /** @type {any} */ cb) => {
    const done = typeof encoding === "function" ? encoding : cb;
    const enc = typeof encoding === "string" ? encoding : "utf8";
    const bytes = typeof chunk === "string" ? byteLength(chunk, enc) : (chunk?.byteLength ?? 0);
    if (bytes <= logLeft) {
      logLeft -= bytes;
      return write(chunk, encoding, cb);
    }
    if (logLeft > 0) {
      // Keep what fits (strings are cut by characters first, so a huge one is never copied whole).
      const head =
        typeof chunk === "string"
          ? Buffer.from(chunk.slice(0, logLeft), enc)
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const kept = head.subarray(0, logLeft);
      write(kept);
      if (kept[kept.length - 1] !== 0x0a) write("\n");
      dropped += bytes - kept.length;
      logLeft = 0;
    } else dropped += bytes;
    if (typeof done === "function") process.nextTick(done);
    return true;
  };
}

/** Reports what the last call dropped, in the plugin's own log. */
function reportDropped() {
  if (dropped === 0) return;
  writeErr(
    `[mozaiks] output truncated: ${dropped} more bytes of stdout/stderr dropped ` +
      `(limit ${maxLogBytes} bytes per call)\n`,
  );
  dropped = 0;
}

parentPort.on("message", (job) => {
  // Output left over from the previous call (its timers, say) is reported under its plugin.
  reportDropped();
  logLeft = maxLogBytes;
  if (job.plugin !== lastPlugin) {
    // Output printed so far belongs to the previous plugin (see log-lines.ts).
    lastPlugin = job.plugin;
    writeOut(`${PLUGIN_MARK}${job.plugin}\n`);
    writeErr(`${PLUGIN_MARK}${job.plugin}\n`);
  }
  run(job)
    .then(
      (reply) => post({ id: job.id, ...reply }),
      (err) => post({ id: job.id, kind: "error", error: describe(err) }),
    )
    .finally(reportDropped);
});

/** @param {string} entryPath */
function load(entryPath) {
  let found = modules.get(entryPath);
  if (!found) {
    found = importEntry(entryPath);
    modules.set(entryPath, found);
    // A failed import is not cached here; Node's own module cache decides whether it repeats.
    found.catch(() => modules.delete(entryPath));
  }
  return found;
}

/** @param {string} entryPath */
async function importEntry(entryPath) {
  const url = pathToFileURL(entryPath).href;
  if (TYPESCRIPT_ENTRY.test(entryPath)) {
    typescript ??= import("tsx/esm/api").then(({ tsImport }) => tsImport);
    return findExecute(await (await typescript)(url, import.meta.url));
  }
  return findExecute(await import(url));
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
  return { kind: "error", error: { name: "PluginOutputError", message } };
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

/** @param {{ id: number, entryPath: string, data: Record<string, unknown> }} job */
async function run({ entryPath, data }) {
  const execute = await load(entryPath);
  if (!execute) return outputError("the entry module does not export an execute(data, context) function");
  const context = data !== null && typeof data === "object" ? (data._context ?? null) : null;
  const output = await execute(data, context);

  let json;
  try {
    // A plugin that returns nothing answers `null`, as an empty JSON body would be invalid.
    json = stringify(output === undefined ? null : output);
  } catch (err) {
    return outputError(`output is not JSON-serializable: ${describe(err).message}`);
  }
  if (typeof json !== "string") return outputError(`output is not JSON-serializable: got a ${typeof output}`);
  const bytes = byteLength(json, "utf8");
  if (bytes > maxOutputBytes) {
    return outputError(`output too large: ${bytes} bytes exceeds the limit of ${maxOutputBytes} bytes`);
  }
  return { kind: "result", json };
}
