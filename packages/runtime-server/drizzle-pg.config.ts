import { defineConfig } from "drizzle-kit";

// The PostgreSQL migrations (drizzle.config.ts is the SQLite one): `pnpm db:generate` runs both.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/store/schema-pg.ts",
  out: "./drizzle-pg",
});
