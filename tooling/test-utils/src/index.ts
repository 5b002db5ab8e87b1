export { type LoopbackHandler, listen } from "./loopback.js";
export { tempDir } from "./temp-dir.js";
