// The dashboard end to end, as the demo person, at desktop and phone
// widths: every page with real numbers (screenshot and axe-core on each),
// and the flows that change something — a category, an insight answer, a
// budget dragged into shape, a goal through the wizard, a live alert
// after a transaction posted through the API, and a rearranged overview
// that survives a reload.
import { expect, test, type Page } from "@playwright/test";

import { accessible, apiToken, open, screenshot, settle, signIn } from "./helpers";

const money = /[-−]?[$€£][\d,]+\.\d\d/;

test("every page renders the person's real numbers, accessibly", async ({ page }, info) => {
  await signIn(page);
  // The session is in HttpOnly cookies: nothing a page script can read.
  expect(await page.evaluate(() => document.cookie)).toBe("");
  expect(await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }))).not.toMatch(/fs[ar]_/);
  const balances = page.locator("[data-widget=balances]");
  await expect(balances.getByRole("cell").first()).toHaveText(money);
  await expect(page.getByTestId("health-score")).toHaveText(/^\d{1,3}$/);
  await expect(page.locator("[data-widget=forecast] canvas")).toHaveAttribute("aria-label", /80% and 95% intervals/);
  await expect(page.locator("[data-widget=insights] strong").first()).not.toBeEmpty();
  await settle(page);
  await screenshot(page, info, "overview");
  await accessible(page, "overview");

  await open(page, "Transactions");
  const rows = page.getByTestId("transactions").locator("tbody tr");
  await expect(rows.nth(10)).toBeVisible();
  await expect(rows.first().locator("td.num")).toHaveText(money);
  await expect(page.getByTestId("recurring").locator("tbody tr").first()).toBeVisible();
  await screenshot(page, info, "transactions");
  await accessible(page, "transactions");

  await open(page, "Insights");
  await expect(page.getByTestId("insights").locator("article").first()).toBeVisible();
  await expect(page.getByTestId("insights").getByText(/Worth about/).first()).toHaveText(money);
  await screenshot(page, info, "insights");
  await accessible(page, "insights");

  await open(page, "Budgets");
  await expect(page.locator(".group .line").first()).toBeVisible();
  await expect(page.getByText(/^Spent .* on day \d+ of \d+\.$/)).toBeVisible();
  await settle(page);
  await screenshot(page, info, "budgets");
  await accessible(page, "budgets");

  await open(page, "Goals");
  await expect(page.getByTestId("goals").locator("article").first()).toContainText(money);
  await screenshot(page, info, "goals");
  await accessible(page, "goals");

  await open(page, "Alerts");
  await expect(page.getByTestId("alerts").locator("li.alert").first()).toBeVisible();
  await screenshot(page, info, "alerts");
  await accessible(page, "alerts");

  await page.getByLabel("Theme").selectOption("dark");
  await open(page, "Overview");
  await expect(page.getByTestId("health-score")).toBeVisible();
  await settle(page);
  await screenshot(page, info, "overview-dark");
  await accessible(page, "overview (dark)");
  await page.getByLabel("Theme").selectOption("system");
});

test("changing a category is kept", async ({ page }) => {
  await signIn(page);
  await open(page, "Transactions");
  const select = page.getByTestId("transactions").locator("tbody tr").first().getByRole("combobox");
  const before = await select.inputValue();
  const options = await select.locator("option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  const target = options.find((v) => v && v !== before && v.startsWith("shopping")) ?? options.find((v) => v && v !== before)!;
  const saved = page.waitForResponse((r) => r.url().includes("/v1/transactions/") && r.request().method() === "PATCH", { timeout: 15_000 });
  await select.selectOption(target);
  expect((await saved).status()).toBe(200);
  await page.reload();
  await expect(page.getByTestId("transactions").locator("tbody tr").first().getByRole("combobox")).toHaveValue(target);
});

test("accepting an insight records the answer", async ({ page }) => {
  await signIn(page);
  await open(page, "Insights");
  const card = page.getByTestId("insights").locator("article").filter({ has: page.getByRole("button", { name: "Accept" }) }).first();
  const title = await card.getByRole("heading").textContent();
  const answered = page.waitForResponse((r) => r.url().includes("/feedback") && r.request().method() === "POST", { timeout: 15_000 });
  await card.getByRole("button", { name: "Accept" }).click();
  expect((await answered).status()).toBe(200);
  await expect(page.getByTestId("insights").locator("article", { hasText: title! }).first().getByRole("status")).toHaveText("Accepted");
});

/**
 * Drags with the mouse in small steps, as dnd-kit's pointer sensor needs;
 * `to` must be near `from` (both on screen once `from` is scrolled to
 * `block`).
 */
async function drag(page: Page, from: ReturnType<Page["locator"]>, to: ReturnType<Page["locator"]>, block: ScrollLogicalPosition = "center") {
  await from.evaluate((e, block) => e.scrollIntoView({ block }), block);
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  expect(b.y, "the drop target is on screen").toBeGreaterThanOrEqual(0);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 8, a.y + a.height / 2 + 8, { steps: 4 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.move(b.x + b.width / 2 + 2, b.y + b.height / 2 + 2, { steps: 2 });
  // dnd-kit settles what is under the pointer on the next frames.
  await page.waitForTimeout(200);
  await page.mouse.up();
}

test("a budget from the recommendation, a category dragged to another group, saved", async ({ page }) => {
  await signIn(page);
  await open(page, "Budgets");
  await page.getByRole("button", { name: "Recommend" }).click();
  await expect(page.getByTestId("recommendation").locator("tbody tr").first()).toBeVisible();
  await page.getByRole("button", { name: "Use this budget" }).click();
  await settle(page);
  const flexible = page.locator('.group[data-group="Flexible"]');
  const essentials = page.locator('.group[data-group="Essentials"]');
  const moving = flexible.locator(".line").first();
  const category = (await moving.getAttribute("data-category"))!;
  await drag(page, moving.locator("button.handle"), essentials.locator(".line").last());
  await expect(essentials.locator(`.line[data-category="${category}"]`)).toBeVisible();
  const saved = page.waitForResponse((r) => r.url().endsWith("/v1/budgets") && r.request().method() === "PUT", { timeout: 15_000 });
  await page.getByRole("button", { name: "Save budget" }).click();
  expect((await saved).status()).toBe(200);
  await expect(page.getByText("Saved.")).toBeVisible();
  await page.reload();
  await expect(page.locator(`.group[data-group="Essentials"] .line[data-category="${category}"]`)).toBeVisible();
});

test("a budget line moves by keyboard alone", async ({ page }) => {
  await signIn(page);
  await open(page, "Budgets");
  const essentials = page.locator('.group[data-group="Essentials"] .line');
  await expect(essentials.nth(1)).toBeVisible();
  await settle(page);
  const names = () => essentials.evaluateAll((ls) => ls.map((l) => l.getAttribute("data-category")));
  const [a, b, ...rest] = await names();
  await essentials.first().locator("button.handle").focus();
  // dnd-kit measures between keys: a person's pace, not a burst.
  for (const key of ["Space", "ArrowDown", "Space"]) {
    await page.keyboard.press(key);
    await page.waitForTimeout(250);
  }
  await expect.poll(names).toEqual([b, a, ...rest]);
});

test("a goal through the wizard: checked, saved, reached and celebrated", async ({ page }, info) => {
  await signIn(page);
  await open(page, "Goals");
  const name = `New bike (${info.project.name})`;
  await page.getByLabel("Goal name").fill(name);
  await page.getByLabel("Amount").fill("1800");
  await page.getByRole("button", { name: "Next" }).click();
  const date = new Date();
  date.setMonth(date.getMonth() + 18);
  await page.getByLabel("Reach it by").fill(date.toISOString().slice(0, 10));
  await page.getByRole("button", { name: "Check it" }).click();
  const check = page.getByTestId("goal-check");
  await expect(check).toContainText(/It needs [$€£][\d,]+\.\d\d a month for \d+ months/);
  await expect(check).toContainText(/Chance of reaching it: \d+%/);
  await screenshot(page, info, "goal-wizard");
  await page.getByRole("button", { name: "Save goal" }).click();
  await expect(page.getByText(`Saved “${name}”`)).toBeVisible();
  await expect(page.getByTestId("goals").getByRole("heading", { name })).toBeVisible();

  // Money put aside until it is reached: every milestone, then the celebration.
  const card = page.getByTestId("goals").locator("article", { has: page.getByRole("heading", { name }) });
  await card.getByLabel("Add money").fill("1800");
  await card.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page.getByRole("heading", { name: `You reached “${name}”!` })).toBeVisible();
  await expect(page.locator(".celebration li").first()).not.toBeEmpty();
  await expect(card.locator(".milestones li.reached")).toHaveCount(4);
  await screenshot(page, info, "goal-reached");
  await accessible(page, "goal reached");
});

test("an alert arrives live after a transaction is posted through the API", async ({ page, baseURL }, info) => {
  await signIn(page);
  await open(page, "Alerts");
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  const token = await apiToken(baseURL!);
  const balances = await (await fetch(`${baseURL}/v1/balances`, { headers: { authorization: `Bearer ${token}` } })).json();
  const account = balances.items.find((b: { account: { kind: string } }) => b.account.kind === "checking").account;
  const today = new Date().toISOString().slice(0, 10);
  const posted = await fetch(`${baseURL}/v1/transactions:batch`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      account_id: account.id,
      transactions: [
        {
          posted_on: today,
          amount: "-4875.00",
          currency: account.currency,
          description: `E2E GENEVA LUXURY WATCHES ${info.project.name.toUpperCase()} ${Date.now()}`,
          mcc: "5944",
        },
      ],
    }),
  });
  expect(posted.status).toBe(200);
  expect((await posted.json()).accepted).toBe(1);
  await expect(page.locator("li.alert.fresh").first()).toBeVisible({ timeout: 30_000 });
  await screenshot(page, info, "alerts-live");
  const unanswered = page.locator('li.alert[data-kind="anomaly"]').filter({ has: page.getByRole("button", { name: "This was me" }) }).first();
  const answered = page.waitForResponse((r) => r.url().includes("/v1/alerts/") && r.request().method() === "POST", { timeout: 15_000 });
  await unanswered.getByRole("button", { name: "This was me" }).click();
  expect((await answered).status()).toBe(200);
  await expect(page.getByText("You said this was you.").first()).toBeVisible();
});

test("widgets rearranged and resized keep their layout after a reload", async ({ page }) => {
  await signIn(page);
  const grid = page.getByTestId("widget-grid");
  await expect(grid.locator("[data-widget]").first()).toBeVisible();
  await settle(page);
  await page.getByRole("button", { name: "Customize" }).click();
  const order = () => grid.locator("[data-widget]").evaluateAll((ws) => ws.map((w) => w.getAttribute("data-widget")));
  const before = await order();
  const [first, second] = before;
  let saved = page.waitForResponse((r) => r.url().endsWith("/v1/dashboard/layout") && r.request().method() === "PUT", { timeout: 15_000 });
  await drag(page, grid.locator(`[data-widget="${second}"] button.handle`), grid.locator(`[data-widget="${first}"] .widget-head h2`), "end");
  expect((await saved).status()).toBe(200);
  await expect.poll(order).toEqual([second, first, ...before.slice(2)]);

  const last = before.at(-1)!;
  saved = page.waitForResponse((r) => r.url().endsWith("/v1/dashboard/layout") && r.request().method() === "PUT", { timeout: 15_000 });
  await grid.locator(`[data-widget="${last}"]`).getByRole("button", { name: /earlier/ }).click();
  await saved;
  const widthBefore = await grid.locator(`[data-widget="${first}"]`).getAttribute("class");
  saved = page.waitForResponse((r) => r.url().endsWith("/v1/dashboard/layout") && r.request().method() === "PUT", { timeout: 15_000 });
  const wider = grid.locator(`[data-widget="${first}"]`).getByRole("button", { name: /wider|narrower/ }).first();
  await wider.click();
  await saved;
  const arranged = await order();
  const widthAfter = await grid.locator(`[data-widget="${first}"]`).getAttribute("class");
  expect(widthAfter).not.toEqual(widthBefore);

  // Removed, then added back (at the end).
  const removed = arranged.find((kind) => kind !== first && kind !== second && kind !== last)!;
  saved = page.waitForResponse((r) => r.url().endsWith("/v1/dashboard/layout") && r.request().method() === "PUT", { timeout: 15_000 });
  await grid.locator(`[data-widget="${removed}"]`).getByRole("button", { name: /^Remove/ }).click();
  await saved;
  await expect(grid.locator(`[data-widget="${removed}"]`)).toHaveCount(0);
  await page.getByLabel("Add a widget").selectOption(removed);
  saved = page.waitForResponse((r) => r.url().endsWith("/v1/dashboard/layout") && r.request().method() === "PUT", { timeout: 15_000 });
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await saved;
  arranged.splice(arranged.indexOf(removed), 1);
  arranged.push(removed);

  await page.reload();
  await expect(grid.locator("[data-widget]").first()).toBeVisible();
  expect(await order()).toEqual(arranged);
  await expect(grid.locator(`[data-widget="${first}"]`)).toHaveAttribute("class", widthAfter!);
});
