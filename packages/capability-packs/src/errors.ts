/** Stable codes of every problem the pack tooling reports. */
export const PACK_ISSUE_CODES = [
  "io_error",
  "yaml_syntax",
  "schema_invalid",
  "file_missing",
  "pack_id_mismatch",
  "visibility_mismatch",
  "module_missing",
  "module_undeclared",
  "module_id_mismatch",
  "page_missing",
  "workflow_missing",
  "event_undeclared",
  "pack_event_mismatch",
  "host_universal_in_pack",
  "host_universal_generation",
  "framework_pack_regeneration",
  "hosted_pack_in_oss",
  "license_missing",
  "unknown_pack",
  "duplicate_pack",
  "duplicate_module",
  "dangling_reaction",
  "reaction_handler_undeclared",
  "event_cycle",
  "extension_entrypoint_missing",
  "handler_export_missing",
  "adapter_template_missing",
  "overlay_conflict",
  "package_invalid",
  "package_file_missing",
  "pack_version_conflict",
  "pack_dependency_missing",
  "runtime_incompatible",
  "requires_mozaiks_missing",
  "surface_undeclared",
  "admin_section_missing",
  "admin_section_undeclared",
  "setting_undeclared",
  "action_undeclared",
  "notification_event_undeclared",
  "migration_invalid",
  "lock_invalid",
  "integrity_mismatch",
] as const;
export type PackIssueCode = (typeof PACK_ISSUE_CODES)[number];

/** One problem, located in a file and (when known) at a YAML path and line/column. */
export interface PackIssue {
  code: PackIssueCode;
  message: string;
  /** File the problem is in, relative to the display root (or absolute). */
  file?: string;
  /** JSON-path-like location inside the YAML document (`$.requires.licensed_services`). */
  path?: string;
  line?: number;
  col?: number;
}

/** Renders an issue as `file:line:col $.path: message [code]`. */
export function formatPackIssue(issue: PackIssue): string {
  let where = "";
  if (issue.file) {
    where = issue.file;
    if (issue.line !== undefined) where += `:${issue.line}:${issue.col ?? 1}`;
  }
  if (issue.path) where = where ? `${where} ${issue.path}` : issue.path;
  return `${where ? `${where}: ` : ""}${issue.message} [${issue.code}]`;
}

const PACK_ERROR_TAG = Symbol.for("mozaiks.capability-packs.PackValidationError");

/**
 * Thrown by the throwing APIs (`loadCatalogOrThrow`, `planBuild`) when validation fails; carries
 * every issue, not only the first.
 */
export class PackValidationError extends Error {
  readonly code = "pack_validation_failed" as const;
  readonly issues: PackIssue[];
  readonly [PACK_ERROR_TAG] = true;

  constructor(issues: PackIssue[], options?: { cause?: unknown }) {
    super(
      `${issues.length} pack validation issue(s):\n${issues.map((i) => `  ${formatPackIssue(i)}`).join("\n")}`,
      options,
    );
    this.name = "PackValidationError";
    this.issues = issues;
  }
}

/** True for a PackValidationError, even one from another copy of this package. */
export function isPackValidationError(err: unknown): err is PackValidationError {
  return typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[PACK_ERROR_TAG] === true;
}

/** Thrown when a file cannot be read or written (CLI exit code 3). */
export class PackIoError extends Error {
  readonly code = "io_error" as const;
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
    this.name = "PackIoError";
    this.file = file;
  }
}
