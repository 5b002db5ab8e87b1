/** Minimal logger the package reports warnings through (pino, console and others fit). */
export interface EntitlementsLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Default logger: `console.warn` with a JSON tail. */
export const consoleLogger: EntitlementsLogger = {
  warn(message, fields) {
    if (fields === undefined) console.warn(`[mozaiks/entitlements] ${message}`);
    else console.warn(`[mozaiks/entitlements] ${message} ${JSON.stringify(fields)}`);
  },
};

/** A logger that drops everything. */
export const silentLogger: EntitlementsLogger = { warn() {} };
