// The web UI in a real browser (Debian's Chromium through playwright-core) against a real server: sign in, find a
// model, run it from the generated form while its output streams in, copy the code, open the prediction page,
// and create a deployment. Screenshots of the main pages land in test-output/screenshots/.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, removeDataDir, startServer } from "../support/server.js";
import type { RunningServer } from "../support/server.js";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = join(REPO_ROOT, "test-output", "screenshots");
const STEP_TIMEOUT = 20_000;

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let predictionId = "";

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}-1280.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, `${name}-390.png`), fullPage: true });
  // Nothing may be wider than a phone's screen.
  // Strings, not functions: they run in the page, and this file is compiled without the DOM's types.
  const overflow = Number(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"));
  expect(overflow, `${name} scrolls sideways at 390 px`).toBeLessThanOrEqual(0);
  await page.setViewportSize({ width: 1280, height: 900 });
}

beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, "apps/web/dist/index.html"))) {
    execFileSync("npm", ["run", "build:web"], { cwd: REPO_ROOT, stdio: "ignore", timeout: 120_000 });
  }
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.baseUrl });
  page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
});

describe("web UI", () => {
  it("refuses a wrong token in plain words, then signs in with the bootstrap token", async () => {
    await page.goto(server.baseUrl);
    await page.getByLabel("API token").fill("r8_not_the_right_token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("That API token is not valid");
    await shot("sign-in");

    await page.getByLabel("API token").fill(server.token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Explore models" }).waitFor();
    // The session is an http-only cookie: page scripts cannot read the token.
    expect(String(await page.evaluate("document.cookie"))).not.toContain("r8_");
    const cookie = (await context.cookies()).find((c) => c.name === "ferry_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });
  });

  it("lists the catalog and finds a model by search", async () => {
    await page.locator('[data-model="ferry/hello-world"]').waitFor();
    await shot("explore");
    await page.getByLabel("Search models").fill("count");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("heading", { name: /Results for/ }).waitFor();
    await page.locator('[data-model="ferry/count"]').waitFor();
    await shot("search");
  });

  it("runs a model from its generated form and shows output streaming in, then the result", async () => {
    await page.locator('[data-model="ferry/count"]').click();
    // The search results (whose heading also says "count") stay on screen until the model page replaces them.
    await page.waitForURL("**/ferry/count");
    await page.getByRole("heading", { level: 1, name: /count/ }).waitFor();
    // Fields come from the Input schema in x-order, with their defaults and limits.
    const to = page.getByRole("spinbutton", { name: /^To/ });
    expect(await to.inputValue()).toBe("5");
    expect(await to.getAttribute("max")).toBe("10000");
    const labels = await page.locator(".schema-form label[for]").evaluateAll((els) => els.map((el) => el.getAttribute("for")));
    expect(labels).toEqual(["input-to", "input-delay_ms", "input-fail_at"]);

    // Out of range is caught before anything is sent.
    await to.fill("0");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.getByText("To must be at least 1.").waitFor();

    await to.fill("4");
    await page.getByRole("spinbutton", { name: /^Delay Ms/ }).fill("400");
    const outputBox = page.locator(".output-box");
    await page.getByRole("button", { name: "Run", exact: true }).click();

    // While it runs, items arrive one by one over the stream, before the prediction has succeeded.
    await expect
      .poll(async () => ({ items: await outputBox.locator("li").count(), status: await page.locator(".prediction-head [data-status]").getAttribute("data-status") }), { timeout: STEP_TIMEOUT })
      .toMatchObject({ status: expect.stringMatching(/starting|processing/), items: expect.any(Number) });
    await expect.poll(() => outputBox.locator("li").count(), { timeout: STEP_TIMEOUT }).toBeGreaterThan(0);
    const sizeWhileStreaming = await outputBox.boundingBox();

    await page.locator('.prediction-head [data-status="succeeded"]').waitFor({ timeout: STEP_TIMEOUT });
    expect(await outputBox.locator("li").allTextContents()).toEqual(["1", "2", "3", "4"]);
    expect(await page.locator(".logs").textContent()).toContain("counted 4");
    // The output area kept its size: nothing below it moved while it filled.
    expect(await outputBox.boundingBox()).toEqual(sizeWhileStreaming);
    predictionId = (await page.locator("[data-prediction]").getAttribute("data-prediction")) ?? "";
    expect(predictionId).toMatch(/^[a-z0-9]+$/);
    await shot("playground");
  });

  it("copies the same input as code for the Node client", async () => {
    await page.getByRole("button", { name: "Copy code" }).click();
    await page.getByRole("button", { name: "Copied" }).waitFor();
    const copied = String(await page.evaluate("navigator.clipboard.readText()"));
    expect(copied).toContain('replicate.run("ferry/count"');
    expect(copied).toContain(`baseUrl: "${server.baseUrl}/v1"`);
    expect(copied).toContain('"to": 4');
    await page.getByRole("tab", { name: "HTTP (curl)" }).click();
    expect(await page.locator('pre[data-language="curl"]').textContent()).toContain(`${server.baseUrl}/v1/models/ferry/count/predictions`);
  });

  it("opens the prediction page, also straight from its urls.web", async () => {
    await page.getByRole("link", { name: /Open prediction/ }).click();
    await page.waitForURL(`**/p/${predictionId}`);
    await page.getByRole("heading", { name: new RegExp(predictionId) }).waitFor();
    await page.locator('.prediction-head [data-status="succeeded"]').waitFor();
    expect(await page.getByRole("region", { name: "Input" }).textContent()).toContain('"to": 4');
    await page.getByText("No webhook was set for this prediction.").waitFor();
    await shot("prediction");

    // A fresh tab on the prediction's web URL: the server answers with the app, which opens the page.
    const fresh = await context.newPage();
    await fresh.goto(`${server.baseUrl}/p/${predictionId}`);
    await fresh.getByRole("heading", { name: new RegExp(predictionId) }).waitFor({ timeout: STEP_TIMEOUT });
    await fresh.close();

    await page.getByRole("link", { name: "Predictions" }).click();
    await page.getByRole("heading", { name: "Predictions" }).waitFor();
    await page.getByRole("link", { name: predictionId.slice(0, 10) }).waitFor();
    await shot("predictions");
  });

  it("creates an API token on the account page and shows the webhook secret", async () => {
    await page.getByRole("link", { name: "Account" }).click();
    await page.getByLabel("Token name").fill("laptop");
    await page.getByRole("button", { name: "Create token" }).click();
    const secret = await page.locator(".notice.success code").textContent();
    expect(secret).toMatch(/^r8_/);
    await page.getByText("laptop", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Show secret" }).click();
    await page.getByText(/^whsec_/).waitFor();
    expect(await page.locator(".nav-disabled").getAttribute("aria-disabled")).toBe("true");
    await shot("account");
  });

  it("creates a deployment, edits it into a second release, and shows its history, queue and latency", async () => {
    await page.getByRole("link", { name: "Deployments" }).click();
    await page.getByRole("link", { name: "New deployment" }).click();
    await page.getByLabel("Name").fill("greeter");
    await page.getByLabel("Model").selectOption("ferry/hello-world");
    await expect.poll(() => page.getByLabel("Version").inputValue()).toMatch(/^[0-9a-f]{64}$/);
    await page.getByRole("button", { name: "Create deployment" }).click();
    await page.waitForURL("**/deployments/*/greeter");
    await page.getByText("#1").first().waitFor();

    // Every edit is a new release.
    await page.getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Max instances").fill("2");
    await page.getByRole("button", { name: "Save as a new release" }).click();
    await page.getByText("#2").first().waitFor();
    expect(await page.locator(".facts-grid").textContent()).toContain("0 / 2");
    // Both releases are in the history, newest first.
    const releaseRows = page.locator("table").last().locator("tbody tr");
    await expect.poll(() => releaseRows.count()).toBe(2);
    expect(await releaseRows.locator("td:first-child").allTextContents()).toEqual(["2", "1"]);
    expect(await releaseRows.first().textContent()).toContain("0–2");

    // A prediction through the deployment shows up in its recent latency.
    const account = (await (await fetch(`${server.apiUrl}/account`, { headers: { authorization: `Bearer ${server.token}` } })).json()) as { username: string };
    const run = await fetch(`${server.apiUrl}/deployments/${account.username}/greeter/predictions`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json", prefer: "wait" },
      body: JSON.stringify({ input: { text: "deployed" } }),
    });
    expect(((await run.json()) as { status: string }).status).toBe("succeeded");
    await page.reload();
    await expect.poll(async () => (await page.locator(".facts-grid").textContent()) ?? "").toMatch(/Recent latency\s*p50/);
    expect(await page.locator(".facts-grid").textContent()).toContain("Queue depth0");
    await shot("deployment");
  });
});
