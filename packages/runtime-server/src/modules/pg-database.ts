import { randomUUID } from "node:crypto";
import pg from "pg";

/** A database created by {@link freshPgDatabase}: its URL, and `drop` to remove it. */
export interface FreshPgDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database on the server of `adminUrl` (whose user may create databases), named
 * `<prefix><random hex>`. The module harness runs on one; the runtime's own tests too.
 */
export async function freshPgDatabase(adminUrl: string, prefix = "mozaiks_"): Promise<FreshPgDatabase> {
  const name = `${prefix}${randomUUID().replaceAll("-", "")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
