import { delimiter, isAbsolute, resolve } from "node:path";

type Vars = Readonly<Record<string, string | undefined>>;

/** The variables the CLI reads (listed in `mozaiks --help`), by what they mean. */
export interface CliSettings {
  /** `MOZAIKS_PLATFORM_CONFIG_DIR`: directory with capabilities.json and plan_capabilities.json. */
  platformConfigDir: string | undefined;
  /** `MOZAIKS_ENTITLEMENT_PRIVATE_KEY`: the Ed25519 private JWK file to sign with. */
  privateKeyFile: string | undefined;
  /** `MOZAIKS_ENTITLEMENT_SIGNING_KEY`: the legacy HMAC key (signing and verification). */
  hmacKey: string | undefined;
  /** `MOZAIKS_ENTITLEMENT_PUBLIC_KEYS`: the JWKS file `manifest verify` trusts. */
  publicKeysFile: string | undefined;
  /** `MOZAIKS_INTERNAL_API_KEY`: the runtime's internal key for `sync push`. */
  internalApiKey: string | undefined;
  /** `MOZAIKS_PACK_PATHS`: extra pack folders, separated like PATH. */
  packPaths: string[];
  /** `MOZAIKS_PACK_CATALOG`: the catalog folder when `--catalog` is not given. */
  packCatalog: string | undefined;
  /** `MOZAIKS_DEBUG`: print the stack of an unexpected error. */
  debug: boolean;
}

/** What one CLI run reads from outside its arguments. */
export interface CliEnvironment {
  /** The caller's directory: relative paths on the command line and in variables start here. */
  cwd: string;
  /** Every variable, handed on to the processes the CLI starts (npm). */
  vars: Vars;
  settings: CliSettings;
}

/** Reads the CLI's variables from `vars`. */
export function cliSettings(vars: Vars): CliSettings {
  return {
    platformConfigDir: vars.MOZAIKS_PLATFORM_CONFIG_DIR,
    privateKeyFile: vars.MOZAIKS_ENTITLEMENT_PRIVATE_KEY,
    hmacKey: vars.MOZAIKS_ENTITLEMENT_SIGNING_KEY,
    publicKeysFile: vars.MOZAIKS_ENTITLEMENT_PUBLIC_KEYS,
    internalApiKey: vars.MOZAIKS_INTERNAL_API_KEY,
    packPaths: (vars.MOZAIKS_PACK_PATHS ?? "").split(delimiter).filter(Boolean),
    packCatalog: vars.MOZAIKS_PACK_CATALOG,
    debug: Boolean(vars.MOZAIKS_DEBUG),
  };
}

/**
 * The environment of a run: `vars` (the process environment by default — the CLI reads
 * `process.env` here and nowhere else) and the caller's directory. A package script runs in
 * its package's folder, so under the repository's `pnpm mozaiks …` script the caller's
 * directory is pnpm's `INIT_CWD`, not the working directory.
 *
 * @example
 * ```ts
 * cliEnvironment({ npm_lifecycle_event: "mozaiks", INIT_CWD: "/home/me/app" }, "/repo").cwd; // "/home/me/app"
 * ```
 */
export function cliEnvironment(vars: Vars = process.env, workingDir = process.cwd()): CliEnvironment {
  const cwd = vars.npm_lifecycle_event === "mozaiks" && vars.INIT_CWD ? vars.INIT_CWD : workingDir;
  return { cwd, vars: { ...vars }, settings: cliSettings(vars) };
}

/**
 * Resolves the paths people type against `cwd`. When that is the process's own directory a
 * path stays as typed, so messages name files the way the user wrote them.
 */
export function pathsFrom(cwd: string): (file: string) => string {
  const own = process.cwd();
  return (file) => (cwd === own || isAbsolute(file) ? file : resolve(cwd, file));
}
