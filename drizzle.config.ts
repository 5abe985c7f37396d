import { defineConfig } from "drizzle-kit";

// `npx drizzle-kit generate --name <what>` writes the next numbered SQL migration from
// workers/storage/schema.ts; virtual tables and triggers go in `--custom` migrations.
export default defineConfig({
  dialect: "sqlite",
  schema: "./workers/storage/schema.ts",
  out: "./migrations",
});
