import type { Logger } from "pino";
import type { AuthenticatedUser } from "../control/auth/types.js";

/** Hono environment shared by every route: request-scoped values set by middleware. */
export interface RuntimeHonoEnv {
  Variables: {
    requestId: string;
    log: Logger;
    user: AuthenticatedUser;
  };
}
