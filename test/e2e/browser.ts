import { mkdirSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's Chromium (apt `chromium`, listed in .ci/apt-packages); playwright downloads nothing. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
}

/** Screenshots kept as test artifacts (gitignored). */
export const ARTIFACTS = path.resolve(import.meta.dirname, "../../test-artifacts");

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/**
 * What a page did wrong: uncaught exceptions, console errors other than a failed load (a CSP
 * violation is one), and every answer of 400 or more with its URL, so a test can name the
 * failures it expects.
 */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("response", (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  return errors;
}

/** Creates an account through the sign-in page and lands on the home page; answers the username. */
export async function signUp(page: Page, base: string, name: string): Promise<string> {
  await page.goto(`${base}/login`);
  const n = `${name}${Date.now().toString(36)}`;
  await page.getByLabel("Email").nth(1).fill(`${n}@example.com`);
  await page.getByLabel("Username (your channel's name)").fill(n);
  await page.getByLabel("Password (at least 8 characters)").fill("a long enough password");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(`${base}/`);
  return n;
}
