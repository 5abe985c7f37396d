import { FanOutMessage } from "../schemas/notifications";
import { databaseOf, fanOutDeps } from "../services/deps";
import { fanOutPage } from "../services/notifications";
import { consume } from "./consume";

/** `notification-fanout` consumer: each message notifies one page of subscribers. */
export async function consumeFanOut(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const deps = fanOutDeps(env, databaseOf(env));
  await consume(batch, FanOutMessage, (message) => fanOutPage(deps, message));
}
