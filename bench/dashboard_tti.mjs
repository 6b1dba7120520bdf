// The dashboard's overview, timed in headless Chromium: from navigation
// to every widget showing its data with charts drawn and the main thread
// idle ("interactive"), over fresh page loads of a signed-in person.
// Prints each run and the median; run through bench/dashboard.sh.
import { createRequire } from "node:module";

const require = createRequire(new URL("../web/package.json", import.meta.url));
const { chromium } = require("@playwright/test");

const [base, runs = "15"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
const login = await context.request.post(`${base}/v1/auth/session`, {
  data: { email: "demo@finsight.local", password: "finsight-demo-password" },
});
if (!login.ok()) throw new Error(`sign-in failed: ${login.status()}`);

const times = [];
for (let i = 0; i < Number(runs); i++) {
  const page = await context.newPage();
  await page.goto(`${base}/`, { waitUntil: "commit" });
  await page.waitForSelector("[data-widget]");
  const ms = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const ready = () =>
          !document.querySelector('[data-widget] [role="status"]') &&
          [...document.querySelectorAll("[data-widget] canvas")].every((c) => c.width > 0) &&
          document.querySelectorAll("[data-widget]").length > 0;
        const check = () => {
          if (ready()) requestIdleCallback(() => resolve(performance.now()), { timeout: 1000 });
          else requestAnimationFrame(check);
        };
        check();
      }),
  );
  const widgets = await page.locator("[data-widget]").count();
  const slowest = await page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .filter((e) => e.name.includes("/v1/"))
      .sort((a, b) => b.duration - a.duration)
      .slice(0, 2)
      .map((e) => `${new URL(e.name).pathname} ${e.duration.toFixed(0)} ms`)
      .join(", "),
  );
  times.push(ms);
  console.log(`run ${i + 1}: overview interactive in ${ms.toFixed(0)} ms (${widgets} widgets; slowest calls: ${slowest})`);
  await page.close();
}
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
console.log(`overview time to interactive: p50 ${q(0.5).toFixed(0)} ms, p90 ${q(0.9).toFixed(0)} ms, best ${times[0].toFixed(0)} ms over ${times.length} loads`);
await browser.close();
