// Browser journeys through Polku's web pages, in headless Debian Chromium.
//
// Run by crates/polku/tests/browser.rs against a `polku serve --demo` it started; the
// environment says where (BASE), who applies (PERSON, ANSWERS as JSON: form field →
// value), which official decides (HANDLER_USER, HANDLER_PASSWORD) and where screenshots
// go (OUT_DIR). Each journey ends in a screenshot and an axe-core check that must find
// no WCAG 2.1 A/AA violation. Exits non-zero on the first failure.

import { chromium } from "playwright-core";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const base = env("BASE");
const out = env("OUT_DIR");
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});

/// axe-core on the page as it is: WCAG 2.0/2.1 level A and AA rules.
async function accessible(page, name) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  if (result.violations.length > 0) {
    const lines = result.violations.map((v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    throw new Error(`${name}: ${result.violations.length} WCAG 2.1 AA violation(s):\n${lines.join("\n")}`);
  }
  console.log(`${name}: axe-core found no WCAG 2.1 AA violation (${result.passes.length} rules passed)`);
}

async function screenshot(page, name) {
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
}

async function journey(name, run) {
  const context = await browser.newContext({ locale: "en-GB" });
  const page = await context.newPage();
  try {
    await run(page);
    console.log(`journey passed: ${name}`);
  } catch (e) {
    await screenshot(page, `${name}-failed`).catch(() => {});
    throw new Error(`journey failed: ${name}: ${e.message}`);
  } finally {
    await context.close();
  }
}

await journey("applicant", async (page) => {
  await page.goto(`${base}/`);
  await page.click("a[hreflang=en]");
  await accessible(page, "front page");
  // The published description of the process the applicant is about to use.
  await page.click("a[href='/rules']");
  await page.click("a[href='/rules/fi.residence-permit.employed.extension']");
  await accessible(page, "published rules");
  await page.goto(`${base}/`);
  await page.click("a[href='/identify']");
  await page.click(`form:has(input[value='${env("PERSON")}']) button`);
  await page.waitForURL("**/my/cases");
  await page.click("a[href='/my/apply']");
  await accessible(page, "choose a matter");
  await page.click("a[href='/my/apply/fi.residence-permit.employed.extension']");
  const answers = JSON.parse(env("ANSWERS"));
  for (const [field, value] of Object.entries(answers)) {
    const radio = page.locator(`input[type=radio][name='${field}'][value='${value}']`);
    if (await radio.count()) await radio.check();
    else await page.fill(`[name='${field}']`, String(value));
  }
  await accessible(page, "application form");
  await page.click("form[action^='/my/apply'] button[type=submit]");
  await page.waitForURL("**/my/cases/*");
  // The pipeline decides in the background: look again until it has.
  for (let i = 0; i < 40; i++) {
    if (await page.getByText("Decided automatically").count()) break;
    await page.waitForTimeout(250);
    await page.reload();
  }
  await page.getByText("Decided automatically").first().waitFor({ timeout: 1000 });
  await page.getByText("Administrative Procedure Act 53 g").first().waitFor();
  await accessible(page, "automatic decision");
  await screenshot(page, "applicant-automatic-decision");
});

await journey("handler", async (page) => {
  await page.goto(`${base}/language?to=en&back=/sign-in`);
  await page.fill("#username", env("HANDLER_USER"));
  await page.fill("#password", env("HANDLER_PASSWORD"));
  await accessible(page, "sign-in");
  await page.click("form[action='/sign-in'] button");
  await page.waitForURL("**/work");
  await accessible(page, "queue");
  // The oldest referred case waiting, as the queue orders it.
  for (let i = 0; i < 40 && !(await page.locator("a[href^='/work/cases/']").count()); i++) {
    await page.waitForTimeout(250);
    await page.reload();
  }
  await page.locator("a[href^='/work/cases/']").first().click();
  await page.click("form[action$='/claim'] button");
  await page.getByText("You are handling this case.").waitFor();
  await accessible(page, "case for a person");
  await page.check("input[name=outcome][value=refuse]");
  await page.fill("#reasons", "The conditions found not met stand; the applicant was heard.");
  await page.click("form[action$='/decision'] button");
  await page.getByText("The decision has been recorded.").waitFor();
  await accessible(page, "decided case");
  await screenshot(page, "handler-decided");
});

await journey("dashboard", async (page) => {
  await page.goto(`${base}/language?to=en&back=/sign-in`);
  await page.fill("#username", env("ANALYST_USER"));
  await page.fill("#password", env("ANALYST_PASSWORD"));
  await page.click("form[action='/sign-in'] button");
  await page.waitForURL("**/dashboard");
  await page.getByText("Permits granted fully automatically").first().waitFor();
  if (!(await page.locator("svg[role=img]").count())) throw new Error("no chart");
  await accessible(page, "dashboard");
  await screenshot(page, "dashboard");
});

await browser.close();
console.log("all journeys passed");
