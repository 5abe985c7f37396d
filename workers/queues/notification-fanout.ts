import type { FanOutMessage } from "../schemas/notifications";
import { fanOutPage as notifyPage } from "../services/notifications";
import { databaseOf, fanOutDeps } from "../wiring/deps";

/** `notification-fanout`: each message notifies one page of subscribers and sends the next page. */
export const fanOutPage = (message: FanOutMessage, env: Env) => notifyPage(fanOutDeps(env, databaseOf(env)), message);
