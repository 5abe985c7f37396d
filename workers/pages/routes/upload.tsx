import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { signedIn } from "../middleware";
import { UploadPage } from "../pages/upload";

/** `/upload`: the page only; the upload itself goes to the API (tus) from its script. */
export const uploadRoutes = new Hono<AppEnv>().get("/upload", signedIn, (c) =>
  c.render(<UploadPage />, { title: "Upload", scripts: ["upload"] }),
);
