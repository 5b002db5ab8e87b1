/** Variable names plugin workers never see: likely credentials of the runtime or its host. */
export const SECRET_ENV_NAME = /(SECRET|PASSWORD|PRIVATE|TOKEN|API_KEY|SIGNING_KEY)/i;

// Named explicitly too, so renaming the pattern can never expose the runtime's own keys.
const RUNTIME_SECRETS = new Set([
  "MOZAIKS_INTERNAL_API_KEY",
  "MOZAIKS_AUTH_HS256_SECRET",
  "MOZAIKS_ENTITLEMENT_SIGNING_KEY",
]);

/**
 * The environment a plugin worker gets: a copy of `env` without secret-looking names, so
 * plugin code reading `process.env` cannot pick up the runtime's keys.
 */
export function workerEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || RUNTIME_SECRETS.has(name) || SECRET_ENV_NAME.test(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * The host's Node flags minus those that only apply to the main entry: a worker inheriting
 * `--input-type` (as in `node --input-type=module -e …`) refuses to start.
 */
export function workerExecArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--input-type") i++;
    else if (!arg.startsWith("--input-type=")) out.push(arg);
  }
  return out;
}
