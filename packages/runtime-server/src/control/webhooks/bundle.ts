import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  BUNDLE_FILES,
  DEFAULT_MANIFEST_EXPIRING_LEAD_SECONDS,
  DEFAULT_WEBHOOK_THRESHOLDS,
  WEBHOOK_EVENT_TYPES,
  type WebhookBundleSubscription,
  WebhookSecretSchema,
  type WebhookSubscriptionRequest,
  WebhooksConfigSchema,
} from "@mozaiks/contracts";
import { RuntimeError } from "../../errors.js";
import { invalidRequest } from "../validation.js";
import type { Subscription } from "./store.js";

/** File of an app bundle that lists its webhook subscriptions. */
export const WEBHOOKS_FILE = BUNDLE_FILES.webhooks;

/** A subscription from its wire form, with defaults filled in. */
export function toSubscription(
  s: WebhookSubscriptionRequest,
  secret: string,
  source: Subscription["source"],
  now: number,
  createdAt = now,
): Subscription {
  return {
    id: s.id,
    url: s.url,
    secret,
    source,
    eventTypes: [...new Set(s.event_types ?? WEBHOOK_EVENT_TYPES)],
    thresholds: [...new Set(s.thresholds ?? DEFAULT_WEBHOOK_THRESHOLDS)].sort((a, b) => a - b),
    limitThresholds: Object.fromEntries(
      Object.entries(s.limit_thresholds ?? {}).map(([k, v]) => [k, [...new Set(v)].sort((a, b) => a - b)]),
    ),
    leadSeconds: s.manifest_expiring_lead_seconds ?? DEFAULT_MANIFEST_EXPIRING_LEAD_SECONDS,
    enabled: s.enabled ?? true,
    createdAt,
    updatedAt: now,
  };
}

function secretOf(
  s: WebhookBundleSubscription,
  readEnv: (name: string) => string | undefined,
  file: string,
): string {
  if (s.secret !== undefined) return s.secret;
  const name = s.secret_env as string;
  const value = readEnv(name)?.trim();
  if (!value) throw new RuntimeError("invalid_request", `${file}: subscription ${s.id}: ${name} is not set`);
  const parsed = WebhookSecretSchema.safeParse(value);
  if (!parsed.success) {
    throw new RuntimeError(
      "invalid_request",
      `${file}: subscription ${s.id}: ${name} ${parsed.error.issues[0]?.message}`,
    );
  }
  return parsed.data;
}

/**
 * Reads `webhooks.json` of the app bundle (undefined when the bundle has none). A file that
 * fails its schema, repeats an id or names an unset `secret_env` stops the start with a clear
 * error rather than running without the notifications the platform configured.
 */
export function loadBundleWebhooks(
  appPath: string | undefined,
  readEnv: (name: string) => string | undefined,
  now: number,
): Subscription[] | undefined {
  if (!appPath) return undefined;
  const file = join(appPath, WEBHOOKS_FILE);
  if (!existsSync(file)) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new RuntimeError("invalid_request", `${file}: ${(err as Error).message}`, {}, { cause: err });
  }
  const parsed = WebhooksConfigSchema.safeParse(doc);
  if (!parsed.success) throw invalidRequest(parsed.error, file);
  const ids = new Set<string>();
  return parsed.data.subscriptions.map((s) => {
    if (ids.has(s.id))
      throw new RuntimeError("invalid_request", `${file}: subscription id ${s.id} is listed twice`);
    ids.add(s.id);
    const { secret: _s, secret_env: _e, ...fields } = s;
    return toSubscription(fields, secretOf(s, readEnv, file), "bundle", now);
  });
}
