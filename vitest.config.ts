import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
// The captions database's own (wrangler.toml's CAPTIONS binding: caption cues and their index).
const captionMigrations = await readD1Migrations(path.join(import.meta.dirname, "migrations", "captions"));
// The comments database's own (wrangler.toml's COMMENTS binding: moved videos' comments).
const commentMigrations = await readD1Migrations(path.join(import.meta.dirname, "migrations", "comments"));

export default defineConfig({
  test: {
    projects: [
      {
        // Worker tests run inside workerd with real D1, R2, KV, Queues and Durable Objects.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            // Workers AI and Vectorize exist only remotely (no simulator); the tests must not
            // reach for an account. Their bindings are then absent, and the local pair serves.
            remoteBindings: false,
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: migrations,
                TEST_CAPTION_MIGRATIONS: captionMigrations,
                TEST_COMMENT_MIGRATIONS: commentMigrations,
                JWT_SECRET: "test-jwt-secret-not-for-production",
                SIGNING_SECRET: "test-signing-secret-not-for-production",
                // The transcoder cannot run inside workerd: tests stub it at this URL.
                TRANSCODER_URL: "http://transcoder.test",
                PUBLIC_URL: "http://cloudtube.test",
                JOB_STALL_SECONDS: "30",
                // Small enough for a test to fill a room.
                ROOM_MAX_SOCKETS: "12",
                // Five to a relay: a dozen watchers span three relays.
                ROOM_RELAY_SOCKETS: "5",
                // A line per request would bury a failure's report; tests that read logs turn them on.
                LOG_REQUESTS: "false",
                // Small pages, so that a handful of subscribers takes several fan-out messages.
                FANOUT_PAGE_SIZE: "2",
                // Neither Vectorize nor Workers AI exists in workerd: the local pair serves.
                VECTOR_BACKEND: "local",
                // Auto captions through the transcoder's engine, which tests stub at its HTTP boundary.
                TRANSCRIBER: "local",
                // Player events into the local store (ANALYTICS_LOCAL), where tests read them back.
                ANALYTICS: "local",
                // Webhook tests receive on loopback URLs (and turn this off to see them refused).
                WEBHOOK_ALLOW_LOOPBACK: "true",
              },
            },
          }),
        ],
        test: {
          name: "workers",
          silent: "passed-only",
          testTimeout: 30_000,
          include: ["test/workers/**/*.test.ts"],
          setupFiles: ["test/workers/setup.ts"],
          // obscenity ships CommonJS behind an ESM shim that workerd's module loader cannot
          // unwrap; pre-bundled, it loads as wrangler's own bundle would load it.
          deps: { optimizer: { ssr: { enabled: true, include: ["obscenity"] } } },
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.test.ts", "transcoder/test/**/*.test.ts"],
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
