#!/usr/bin/env node
// `npm run admin -- grant EMAIL ROLE`: gives an account a role (user, moderator, admin) in the
// local database that `npm start` uses, logs it in moderation_log, and prints the same
// command for production (`wrangler d1 execute DB --remote`). The first admin is made this
// way; admins then grant roles through `PUT /api/v1/admin/users/{id}/role`.
//   npm run admin -- grant me@example.com admin
//   npm run admin -- show me@example.com
// Settings (environment): PERSIST_DIR (.wrangler/state), as for npm start.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = path.join(root, "node_modules", ".bin", "wrangler");
const persistTo = path.resolve(root, process.env.PERSIST_DIR ?? ".wrangler/state");
const ROLES = ["user", "moderator", "admin"];
// The same rule the API checks emails with, strict enough that the address is safe inside a SQL string.
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;

function usage(message) {
  if (message) console.error(`admin: ${message}`);
  console.error("usage: npm run admin -- grant EMAIL user|moderator|admin\n       npm run admin -- show EMAIL");
  process.exit(2);
}

/** Runs SQL on the local D1 and answers the rows of its last statement. */
function d1(sql) {
  const run = spawnSync(
    wrangler,
    ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--json", "--command", sql],
    { cwd: root, encoding: "utf8", env: { ...process.env, CI: "true" } },
  );
  if (run.status !== 0) {
    console.error(run.stderr || run.stdout);
    console.error("admin: the local database could not be read (run `npm start` once to create it)");
    process.exit(1);
  }
  const results = JSON.parse(run.stdout);
  return results.at(-1)?.results ?? [];
}

const [command, rawEmail, role] = process.argv.slice(2);
if (!command || !["grant", "show"].includes(command)) usage(command ? `unknown command ${command}` : undefined);
const email = (rawEmail ?? "").trim().toLowerCase();
if (!EMAIL.test(email)) usage(`${JSON.stringify(rawEmail ?? "")} is not an email address`);

if (command === "show") {
  const [user] = d1(`SELECT id, username, email, role, suspended_until FROM users WHERE email = '${email}'`);
  if (!user) {
    console.error(`admin: no account with the email ${email}`);
    process.exit(1);
  }
  console.log(JSON.stringify(user));
  process.exit(0);
}

if (!ROLES.includes(role)) usage(`the role must be one of ${ROLES.join(", ")}`);
// One command, so the role and its log line land together; the log row says the command line did it.
const sql = [
  `UPDATE users SET role = '${role}' WHERE email = '${email}' AND role <> '${role}'`,
  `INSERT INTO moderation_log (id, actor_id, action, target_type, target_id, reason)
     SELECT lower(hex(randomblob(8))), 'command-line', 'set_role', 'user', id, 'role: ${role}'
     FROM users WHERE email = '${email}' AND changes() > 0`,
  `SELECT id, username, email, role FROM users WHERE email = '${email}'`,
].join(";\n");
const [user] = d1(sql);
if (!user) {
  console.error(`admin: no account with the email ${email} (register it first)`);
  process.exit(1);
}
console.log(`${user.username} <${user.email}> is now ${user.role} in the local database (${persistTo}).`);
console.log("In production, run the same against the remote database:");
console.log(`  npx wrangler d1 execute DB --remote --command "${sql.replace(/\s+/g, " ").replace(/"/g, '\\"')}"`);
