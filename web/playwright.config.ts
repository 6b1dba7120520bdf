// End-to-end tests in Debian's Chromium (no browser download), against a
// running `finsight serve` with demo data at FINSIGHT_URL (scripts/e2e
// starts one). Every flow runs at a desktop and at a phone viewport; every
// page is also checked at a tablet's.
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: process.env.FINSIGHT_URL ?? "http://127.0.0.1:8080",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    },
    trace: "off",
  },
  projects: [
    { name: "desktop", use: { viewport: { width: 1366, height: 900 } } },
    { name: "phone", use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 } },
    // Tablets get the pages, their screenshots and axe-core (the flows run above).
    { name: "tablet", use: { viewport: { width: 820, height: 1180 }, hasTouch: true }, grep: /every page/ },
  ],
});
