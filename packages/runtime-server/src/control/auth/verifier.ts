import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from "jose";
import type { Clock } from "../../clock.js";
import { RuntimeError } from "../../errors.js";
import { userFromClaims } from "./claims.js";
import { allowedAlgorithms, type UserAuthKeys } from "./keys.js";
import { LruCache } from "./lru.js";
import type { AuthenticatedUser } from "./types.js";

/** Options of {@link TokenVerifier}. */
export interface TokenVerifierOptions {
  keys: UserAuthKeys;
  clock: Clock;
  issuer?: string | undefined;
  audience?: string | undefined;
  /** Bounded cache of verified tokens (0 disables it). */
  cacheSize?: number;
}

const HMAC_ALGS = new Set(["HS256", "HS384", "HS512"]);

/**
 * Verifies user bearer tokens with jose: algorithm allowlist (never `none`), `iss`, `aud`, and
 * a required `exp`. Verified tokens are cached by their raw string until they expire, in a
 * bounded LRU, so repeated requests skip the signature check.
 *
 * @example
 * ```ts
 * const verifier = new TokenVerifier({ keys, clock: systemClock, issuer: "https://idp", audience: "example-app" });
 * const user = await verifier.verify(token);
 * ```
 */
export class TokenVerifier {
  readonly algorithms: string[];
  readonly #cache: LruCache<string, AuthenticatedUser>;
  constructor(readonly options: TokenVerifierOptions) {
    this.algorithms = allowedAlgorithms(options.keys);
    this.#cache = new LruCache(options.cacheSize ?? 10_000);
  }

  /** Verifies `token` or throws `invalid_token` / `token_expired`. */
  async verify(token: string): Promise<AuthenticatedUser> {
    const now = this.options.clock.now();
    const cached = this.#cache.get(token);
    if (cached) {
      if (cached.exp * 1000 > now.getTime()) return cached;
      this.#cache.delete(token);
      throw new RuntimeError("token_expired", "token has expired");
    }
    const user = await this.#verifyUncached(token, now);
    this.#cache.set(token, user);
    return user;
  }

  /** Verifies without consulting or filling the cache (used by the bench). */
  async verifyUncached(token: string): Promise<AuthenticatedUser> {
    return this.#verifyUncached(token, this.options.clock.now());
  }

  async #verifyUncached(token: string, now: Date): Promise<AuthenticatedUser> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new RuntimeError("invalid_token", "token is not a valid JWS");
    }
    if (!alg || !this.algorithms.includes(alg)) {
      throw new RuntimeError("invalid_token", `token algorithm ${alg ?? "(none)"} is not allowed`);
    }
    const { keys, issuer, audience } = this.options;
    const opts = { algorithms: this.algorithms, issuer, audience, requiredClaims: ["exp"], currentDate: now };
    try {
      if (HMAC_ALGS.has(alg)) {
        if (!keys.hs256Secret)
          throw new RuntimeError("invalid_token", "no secret configured for HMAC tokens");
        return userFromClaims((await jwtVerify(token, keys.hs256Secret, opts)).payload, token);
      }
      if (!keys.jwks) throw new RuntimeError("invalid_token", "no key set configured for asymmetric tokens");
      return userFromClaims((await jwtVerify(token, keys.jwks, opts)).payload, token);
    } catch (err) {
      if (err instanceof RuntimeError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new RuntimeError("token_expired", "token has expired");
      const detail =
        err instanceof joseErrors.JOSEError ? `${err.code}: ${err.message}` : "verification failed";
      throw new RuntimeError("invalid_token", `token rejected: ${detail}`, {}, { cause: err });
    }
  }
}
