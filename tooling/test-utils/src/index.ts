export { tempDir } from "./temp-dir.js";
