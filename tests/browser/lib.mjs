// lib.mjs — shared steps of the browser tests (playwright-core + Debian's Chromium).
// Each spec: import { run } from "./lib.mjs"; await run("name", async (t) => { ... });
// t.page is a fresh page; t.step(label, fn) runs one step and keeps a
// screenshot of the page after it (SHOTS/name-NN-label.png); t.signIn(user, pass).
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import assert from "node:assert/strict";

export { assert };
export const BASE = process.env.BASE;
export const SARGS = process.env.SARGS;

// runs the sargs command line against the test register; returns stdout
export function sargs(...args) {
  return execFileSync(SARGS, args, { encoding: "utf8" });
}

export async function run(name, body) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"],
  });
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  let n = 0;
  const t = {
    page,
    context,
    browser,
    async step(label, fn) {
      n += 1;
      const shot = `${process.env.SHOTS}/${name}-${String(n).padStart(2, "0")}-${label.replace(/[^a-z0-9]+/gi, "_")}.png`;
      try {
        await fn();
      } catch (e) {
        await page.screenshot({ path: shot.replace(/\.png$/, "-FAILED.png"), fullPage: true }).catch(() => {});
        console.error(`FAIL ${name} step ${n} (${label}): ${e.message}`);
        throw e;
      }
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`ok ${name} ${n} ${label}`);
    },
    async signIn(user, pass) {
      await page.goto(`${BASE}/login`);
      await page.fill('input[name="user"]', user);
      await page.fill('input[name="password"]', pass);
      await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    },
  };
  try {
    await body(t);
  } catch (e) {
    await browser.close();
    process.exit(1);
  }
  await browser.close();
}
