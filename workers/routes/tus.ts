import { router } from "../lib/openapi";

/** tus 1.0 on the R2 multipart machinery (filled in by the tus slice). */
export const tusRoutes = router();
