import type { InboxStore } from "../storage/notifications";

/** A user's inbox of new-video notices (`UserInbox`, named by the user id), called by RPC: the one place that makes that stub. */
export function userInboxOf(env: Env, userId: string): InboxStore {
  const stub = env.USER_INBOX.get(env.USER_INBOX.idFromName(userId));
  return {
    deliver: (notice) => stub.deliver(notice),
    latest: (limit) => stub.latest(limit),
  };
}
