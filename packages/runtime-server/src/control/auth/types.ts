/** The caller of a user route, from a verified bearer token (docs/reference/runtime-api.md). */
export interface AuthenticatedUser {
  userId: string;
  username: string | null;
  roles: string[];
  isSuperadmin: boolean;
  /** The token's `app_id` claim, when present as a string. */
  appId: string | undefined;
  /**
   * The JSON type (`null`, `number`, `array`, …) of an `app_id` claim that is present but not a
   * string; such a token is addressed to no valid app and is refused as a tenant violation.
   */
  appIdWrongType?: string | undefined;
  scopes: string[];
  /** Expiry, seconds since epoch. */
  exp: number;
  /** The raw bearer token, forwarded to plugins as `user_jwt`. */
  token: string;
}
