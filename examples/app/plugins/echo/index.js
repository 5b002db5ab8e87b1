// echo: returns the caller's input (without the server-injected `_context` and `user_jwt`)
// plus who called it. Declares cap.tool.basic, so it works with no platform manifest at all.

/**
 * @param {Record<string, unknown>} data request body with `_context` and `user_jwt` injected by the runtime
 * @param {{ app_id: string, user_id: string, username: string | null, roles: string[], is_superadmin: boolean } | null} context
 */
export async function execute(data, context) {
  // The bearer token must never travel back in a response body.
  const { _context, user_jwt, ...input } = data;
  return {
    echo: input,
    called_by: context
      ? { app_id: context.app_id, user_id: context.user_id, username: context.username, roles: context.roles }
      : null,
  };
}
