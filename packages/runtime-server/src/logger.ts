import { type DestinationStream, type Logger, pino } from "pino";

/**
 * Structured JSON logger (pino). Every request gets a child logger carrying `request_id`.
 *
 * @example
 * ```ts
 * const log = createLogger("info");
 * log.info({ port: 8080 }, "listening");
 * ```
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    { level, base: { service: "mozaiks-runtime" }, timestamp: pino.stdTimeFunctions.isoTime },
    destination,
  );
}

export type { Logger };
