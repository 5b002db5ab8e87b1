/**
 * Features the runtime/platform always provides (ownership class `host_universal`), each with the
 * other names a build plan or a pack might give it. A build that asks to generate one of them,
 * or a pack that ships a module named like one, duplicates the host. The `notifications`
 * *pack* (in-app notification records) is a framework pack; the host-universal part is the
 * notification infrastructure.
 */
export const HOST_UNIVERSAL: ReadonlyArray<{ feature: string; aliases: readonly string[] }> = [
  {
    feature: "auth",
    aliases: [
      "authentication",
      "authn",
      "user_auth",
      "user_authentication",
      "login",
      "logout",
      "sign_in",
      "sign_up",
      "signup",
      "user_registration",
      "password_reset",
      "sso",
      "oauth",
      "oidc",
      "jwt",
      "jwt_auth",
    ],
  },
  { feature: "authorization", aliases: ["authz", "access_control", "rbac"] },
  { feature: "identity", aliases: ["user_identity", "identity_provider", "idp"] },
  {
    feature: "user_management",
    aliases: ["users", "user_accounts", "user_admin", "user_profiles", "user_directory"],
  },
  { feature: "websocket", aliases: ["web_socket", "socket", "realtime_transport", "transport"] },
  { feature: "sessions", aliases: ["session_management", "user_sessions"] },
  { feature: "event_dispatch", aliases: ["event_bus", "event_dispatcher", "domain_event_dispatch"] },
  {
    feature: "notification_infrastructure",
    aliases: [
      "notification_storage",
      "notification_transport",
      "notification_delivery",
      "push_infrastructure",
    ],
  },
  {
    feature: "orchestration",
    aliases: ["ag2_orchestration", "agent_orchestration", "workflow_orchestration"],
  },
  { feature: "app_shell", aliases: ["admin_shell"] },
  { feature: "module_hosting", aliases: ["module_host", "module_runtime"] },
  { feature: "workflow_execution", aliases: ["workflow_engine", "workflow_runner", "execution_engine"] },
];

// Words that only say "this is a piece of software", not which feature it is.
const NOISE = new Set(["module", "service", "feature", "system", "component", "pack", "layer", "api"]);

/**
 * The comparison key of a feature name: camelCase split, lower-cased, any run of other
 * characters (`-`, spaces, `.`) as a word break, each word without a plural `s`, generic
 * trailing words (`module`, `service`, …) dropped, then the words joined without separators.
 * So `User-Auth`, `userAuth`, `user_auth_service` and `UserAuth` share a key, as do `web_socket`
 * and `websockets`.
 */
export function featureKey(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map((w) => (w.length > 3 && w.endsWith("s") && !w.endsWith("ss") ? w.slice(0, -1) : w));
  while (words.length > 1 && NOISE.has(words[words.length - 1] as string)) words.pop();
  return words.join("");
}

const BY_KEY: ReadonlyMap<string, string> = new Map(
  HOST_UNIVERSAL.flatMap(({ feature, aliases }) =>
    [feature, ...aliases].map((n) => [featureKey(n), feature] as const),
  ),
);

/** Every host-universal name, canonical and alias (exact spellings). */
export const HOST_UNIVERSAL_FEATURES: ReadonlySet<string> = new Set(
  HOST_UNIVERSAL.flatMap(({ feature, aliases }) => [feature, ...aliases]),
);

/**
 * The host-universal feature `name` denotes under any spelling, or undefined.
 *
 * @example
 * ```ts
 * hostUniversalFeature("User-Auth"); // "auth"
 * hostUniversalFeature("orders");    // undefined
 * ```
 */
export function hostUniversalFeature(name: string): string | undefined {
  return BY_KEY.get(featureKey(name));
}
