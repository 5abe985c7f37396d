import type { D1Migration } from "@cloudflare/vitest-plugin";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      TEST_CAPTION_MIGRATIONS: D1Migration[];
      TEST_COMMENT_MIGRATIONS: D1Migration[];
    }
  }
}
