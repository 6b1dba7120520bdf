// Shared steps of the end-to-end tests: signing in as the demo person,
// a screenshot per page and viewport, and the axe-core check.
import { expect, type Page, type TestInfo } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

export const DEMO_EMAIL = process.env.FINSIGHT_DEMO_EMAIL ?? "demo@finsight.local";
export const DEMO_PASSWORD = process.env.FINSIGHT_DEMO_PASSWORD ?? "finsight-demo-password";

export async function signIn(page: Page) {
  await page.goto("/");
  await page.getByLabel("Email").fill(DEMO_EMAIL);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
}

/** Goes to a page through the navigation, as a person would. */
export async function open(page: Page, name: string) {
  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name, exact: false }).first().click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
}

/**
 * Waits for the page's data and charts (the live alert stream keeps a
 * connection open, so the network is never idle).
 */
export async function settle(page: Page) {
  await expect(page.getByRole("status").filter({ hasText: "Loading…" })).toHaveCount(0);
  await page.waitForFunction(() =>
    [...document.querySelectorAll(".chart canvas")].every((c) => (c as HTMLCanvasElement).width > 0),
  );
  await page.waitForTimeout(300);
}

export async function screenshot(page: Page, info: TestInfo, name: string) {
  await page.screenshot({ path: `artifacts/${name}-${info.project.name}.png`, fullPage: true });
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function accessible(page: Page, where: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${where}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`),
  ).toEqual([]);
}

/** A bearer token for the demo person, for what the test does as "the API". */
export async function apiToken(baseURL: string): Promise<string> {
  const response = await fetch(`${baseURL}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: DEMO_EMAIL, password: DEMO_PASSWORD }),
  });
  expect(response.status).toBe(200);
  return (await response.json()).access_token;
}
