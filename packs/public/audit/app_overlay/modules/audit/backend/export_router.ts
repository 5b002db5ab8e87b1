import type { ApiRouter, ApiRouterRequest } from "@mozaiks/contracts";
import { AuditError } from "./errors.js";
import { EXPORT_MAX_LIMIT, type ListAuditInput } from "./schemas.js";
import * as service from "./service.js";

/** Query parameters of an export, checked like an action's input (unknown ones are refused). */
function exportFilter(query: URLSearchParams): ListAuditInput {
  const filter: ListAuditInput = { limit: EXPORT_MAX_LIMIT };
  for (const [key, value] of query) {
    if (key === "user_id" && value.length > 0 && value.length <= 200) filter.user_id = value;
    else if (key === "event_type" && value.length > 0 && value.length <= 200) filter.event_type = value;
    else if (key === "limit" && /^[1-9][0-9]*$/.test(value) && Number(value) <= EXPORT_MAX_LIMIT)
      filter.limit = Number(value);
    else throw new AuditError("invalid_request", `invalid export parameter ${key}`);
  }
  return filter;
}

/**
 * API router (runtime_extensions.yaml, prefix /export): `GET /api/ext/audit/export` downloads
 * the records the caller may see (their own; a superadmin's any or all) as NDJSON, newest
 * first, one record per line. A module action answers JSON only, hence a router for a file.
 */
export const AuditExportRouter: ApiRouter = {
  "GET /": async (req: ApiRouterRequest) => {
    const filter = exportFilter(req.query);
    const { records } = await req.transact((ctx) => service.listVisible(ctx, filter));
    const body = records.map((r) => `${JSON.stringify(r)}\n`).join("");
    return new Response(body, {
      status: 200,
      headers: {
        "content-type": "application/x-ndjson; charset=utf-8",
        "content-disposition": 'attachment; filename="audit.ndjson"',
      },
    });
  },
};
