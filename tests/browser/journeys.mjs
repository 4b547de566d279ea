// Browser journeys through Polku's web pages, in headless Debian Chromium.
//
// Run by crates/polku/tests/browser.rs against a `polku serve --demo` it started; the
// environment says where (BASE), who applies (PERSON, ANSWERS as JSON: form field →
// value), which officials decide and approve (HANDLER_USER/_PASSWORD, LEGAL_USER/_PASSWORD,
// ANALYST_USER/_PASSWORD, INSPECTOR_USER/_PASSWORD, AUDITOR_USER/_PASSWORD), the applicant's EMPLOYER, who pays a
// fee (PAYER) and where screenshots go (OUT_DIR). Each journey ends in a screenshot and an axe-core check that must find
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

/// axe-core on the page as it is: WCAG 2.0/2.1 level A and AA rules. The page's
/// Content-Security-Policy refuses inline scripts, so axe is evaluated through the
/// DevTools protocol (which the policy does not govern), not added as a <script>.
async function accessible(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  if (result.violations.length > 0) {
    const lines = result.violations.map((v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    throw new Error(`${name}: ${result.violations.length} WCAG 2.1 AA violation(s):\n${lines.join("\n")}`);
  }
  console.log(`${name}: axe-core found no WCAG 2.1 AA violation (${result.passes.length} rules passed)`);
  await inWords(page, name);
}

/// No code reaches the reader (finding 7): the text a person reads has no status or outcome
/// code, field path or raw value — form fields and preformatted rule text aside.
async function inWords(page, name) {
  const [text, lang] = await page.evaluate(() => {
    const body = document.body.cloneNode(true);
    for (const e of body.querySelectorAll("textarea, pre, code, script, style, input, select")) e.remove();
    return [body.innerText, document.documentElement.lang];
  });
  // "false" is an English word ("false information"); on a Finnish or Swedish page it is code.
  const values = lang === "en" ? ["not_met"] : ["null", "true", "false", "not_met"];
  const code = text
    .split(/[\s()[\]{},;:“”"'«»]+/)
    .map((w) => w.replace(/\.+$/, ""))
    .filter((w) => (w.includes("_") && /[a-z]/.test(w)) || w.startsWith("evidence.") || w.startsWith("application.")
      || values.includes(w));
  // A value as Rust debugs it ("Some" alone is an English word).
  for (const debug of ["Some(", "None)"]) if (text.includes(debug)) code.push(debug);
  if (code.length > 0) throw new Error(`${name}: code on the page: ${[...new Set(code)].join(", ")}`);
}

async function screenshot(page, name) {
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
}

/// The page fits its window: nothing wider than the viewport (a phone's 390 px), so no
/// one has to scroll sideways.
async function fits(page, name) {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  if (scroll > width) throw new Error(`${name}: ${scroll} px wide in a ${width} px window`);
}

async function journey(name, run, options = {}) {
  const context = await browser.newContext({ locale: "en-GB", ...options });
  const page = await context.newPage();
  // Every page must work under its Content-Security-Policy: anything it refuses (an
  // inline style, a script) is a failure, not a console message.
  const refused = [];
  page.on("console", (m) => {
    if (m.type() === "error" && m.text().includes("Content Security Policy")) refused.push(m.text());
  });
  try {
    await run(page);
    if (refused.length > 0) throw new Error(`the Content-Security-Policy refused:\n${refused.join("\n")}`);
    console.log(`journey passed: ${name}`);
  } catch (e) {
    await screenshot(page, `${name}-failed`).catch(() => {});
    throw new Error(`journey failed: ${name}: ${e.message}`);
  } finally {
    await context.close();
  }
}

// The applicant's case, decided automatically (the rectification journey comes back to it).
let granted = "";

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
  // The answers to check, and the declaration; sending without it says what to do.
  await page.getByText("Check your answers").first().waitFor();
  await accessible(page, "check your answers");
  // What the registers hold now, before sending.
  await page.click("form:has(input[name=action][value=preview]) button[type=submit]");
  await page.getByText("What the registers hold now").first().waitFor();
  await page.getByText("This is not a decision").first().waitFor();
  await accessible(page, "eligibility preview");
  await screenshot(page, "applicant-preview");
  await page.click("form:has(input[name=action][value=send]) button[type=submit]");
  await page.getByText("Confirm that the information you gave is correct").first().waitFor();
  await accessible(page, "declaration missing");
  await page.check("#declaration");
  await page.click("form:has(input[name=action][value=send]) button[type=submit]");
  await page.waitForURL("**/my/cases/*");
  granted = page.url().split("/my/cases/")[1];
  // The pipeline decides in the background: look again until it has.
  for (let i = 0; i < 40; i++) {
    if (await page.getByText("Decision: granted").count()) break;
    await page.waitForTimeout(250);
    await page.reload();
  }
  await page.getByText("Decision: granted").first().waitFor({ timeout: 1000 });
  await page.getByText("Decision number").first().waitFor();
  // The decision to keep, as a PDF.
  const pdfHref = await page.locator("a[href$='/decision.pdf']").first().getAttribute("href");
  const pdf = await page.request.get(`${base}${pdfHref}`);
  if (pdf.status() !== 200 || pdf.headers()["content-type"] !== "application/pdf"
      || !(await pdf.body()).subarray(0, 5).equals(Buffer.from("%PDF-"))) {
    throw new Error(`the decision PDF: ${pdf.status()} ${pdf.headers()["content-type"]}`);
  }
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
  // The monitoring figures (the demo's registers report about its permit holders), in
  // Finnish, readable on a phone: no part of their sections wider than the screen.
  await page.goto(`${base}/language?to=fi&back=/dashboard`);
  await page.getByText("Oleskelulupien jälkivalvonta").first().waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  for (const id of ["monitoring", "monitoring-days"]) {
    const widths = await page.evaluate((id) => {
      const s = document.querySelector(`section[aria-labelledby='${id}']`);
      return s && { scroll: s.scrollWidth, client: s.clientWidth, page: document.documentElement.clientWidth };
    }, id);
    if (!widths) throw new Error(`no ${id} section`);
    if (widths.scroll > widths.client || widths.client > widths.page) {
      throw new Error(`${id} is wider than a 390 px screen: ${JSON.stringify(widths)}`);
    }
  }
  await accessible(page, "dashboard on a phone, in Finnish");
  await screenshot(page, "dashboard-monitoring-phone");
});

// A rule change: a handler proposes a higher specialist salary threshold from tomorrow,
// sees it checked and backtested; a legal officer approves it; the dashboard shows it.
const SPECIALIST = "fi.residence-permit.specialist.first";
let effectiveFrom = "";

async function signIn(page, user, password, landing) {
  await page.goto(`${base}/language?to=en&back=/sign-in`);
  await page.fill("#username", user);
  await page.fill("#password", password);
  await page.click("form[action='/sign-in'] button");
  await page.waitForURL(`**${landing}`);
}

await journey("rule-proposal", async (page) => {
  await signIn(page, env("HANDLER_USER"), env("HANDLER_PASSWORD"), "/work");
  await page.click("a[href='/work/rules']");
  await accessible(page, "rule administration");
  await page.click(`a[href='/work/rules/${SPECIALIST}/propose']`);
  effectiveFrom = await page.inputValue("#effective_from");
  const text = await page.inputValue("#text");
  const current = "      2026-01-01: 3937\n";
  if (!text.includes(current)) throw new Error("the threshold line is not in the rule text");
  await page.fill("#text", text.replace(current, `${current}      ${effectiveFrom}: 9000\n`));
  await page.fill("#summary", "Journey: the salary threshold rises to 9,000 €.");
  await page.click("button[name=action][value=check]");
  await page.getByText("The file loads without errors.").waitFor();
  await accessible(page, "proposal checked");
  await page.click("button[name=action][value=propose]");
  await page.waitForURL("**/work/rules/proposals/*");
  const figures = await page.locator("#backtest-figures").innerText();
  const m = figures.match(/(\d+) past decisions re-evaluated; (\d+) would have another outcome/);
  if (!m || Number(m[1]) === 0) throw new Error(`no backtest of past decisions: ${figures}`);
  console.log(`backtest: ${figures}`);
  // The proposer is offered no approval.
  if (await page.locator("form[action$='/approval']").count()) throw new Error("the proposer may approve");
  await accessible(page, "proposal backtested");
  await screenshot(page, "rule-proposal-backtest");
});

await journey("rule-approval", async (page) => {
  await signIn(page, env("LEGAL_USER"), env("LEGAL_PASSWORD"), "/work");
  await page.goto(`${base}/work/rules`);
  await page.locator("a[href^='/work/rules/proposals/']").first().click();
  await page.fill("#approve-note", "Journey: checked against the decree.");
  await page.click("form[action$='/approval'] button");
  await page.locator("#proposal-state", { hasText: "Approved" }).waitFor();
  await accessible(page, "proposal approved");
  await page.goto(`${base}/dashboard`);
  const table = page.locator("table", { hasText: "Approved rule changes and their effect" });
  await table.locator("td", { hasText: effectiveFrom }).first().waitFor();
  await accessible(page, "dashboard with the rule change");
  await screenshot(page, "rule-change-dashboard");
});

// Monitoring, on a phone's 390 px: the population register reports that the applicant
// whose permit was granted above emigrated; a handler finds the alert in the queue, reads
// its trace, is told to write reasons, confirms it and follows the link to the
// re-examination case; the holder reads why on their own page and answers; the handler
// reads the answer on the case page.
const phone = { viewport: { width: 390, height: 844 } };
const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Helsinki" }).format(new Date());
let reexamination = "";

await journey("monitoring-alert", async (page) => {
  const reported = await fetch(`${base}/api/v1/monitoring/events`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${env("FEED_TOKEN")}` },
    body: JSON.stringify({ events: [
      { id: `vtj-journey-${env("PERSON")}`, occurred_on: today, kind: "emigration", person: env("PERSON") },
    ] }),
  });
  if (reported.status !== 200) throw new Error(`events: ${reported.status} ${await reported.text()}`);
  await signIn(page, env("HANDLER_USER"), env("HANDLER_PASSWORD"), "/work");
  // The queue on a phone: its total, and no sideways scroll.
  await page.locator("#work-total").waitFor();
  await accessible(page, "handlers' queue");
  await fits(page, "handlers' queue");
  await screenshot(page, "handlers-queue-phone");
  await page.click("#alerts-link");
  await page.waitForURL("**/work/alerts");
  await accessible(page, "alerts queue");
  await fits(page, "alerts queue");
  await page.locator("ol.alerts li", { hasText: env("PERSON") }).locator("a").first().click();
  await page.getByText("Lives in Finland").first().waitFor();
  await accessible(page, "alert");
  await fits(page, "alert");
  // Reasons of only spaces: the page says what to do.
  await page.fill("#confirm-reasons", "   ");
  await page.click("form[action$='/confirmation'] button");
  await page.getByText("Write the reasons before confirming").first().waitFor();
  await accessible(page, "alert without reasons");
  await fits(page, "alert without reasons");
  await page.fill("#confirm-reasons", "Journey: the population register shows the holder moved abroad.");
  await page.click("form[action$='/confirmation'] button");
  await page.getByText("The alert has been confirmed").waitFor();
  await accessible(page, "alert confirmed");
  await screenshot(page, "monitoring-alert-confirmed");
  await page.click("#reexamination-case");
  await page.waitForURL("**/work/cases/*");
  reexamination = page.url().split("/work/cases/")[1];
  await page.getByText("Re-examination of the permit").first().waitFor();
  await accessible(page, "re-examination case");
  await fits(page, "re-examination case");
}, phone);

await journey("holder-answers", async (page) => {
  await page.goto(`${base}/language?to=en&back=/identify`);
  await page.click(`form:has(input[value='${env("PERSON")}']) button`);
  await page.waitForURL("**/my/cases");
  await fits(page, "holder's cases");
  await page.click(`a[href='/my/cases/${reexamination}']`);
  await page.getByText("Your permit is being re-examined").waitFor();
  await page.getByText("The time to answer ends on").waitFor();
  await accessible(page, "holder's re-examination");
  await fits(page, "holder's re-examination");
  await page.fill("#answer", "Journey: I was abroad on a work assignment and came back last week.");
  await page.click("form[action$='/answer'] button");
  await page.getByText("Your answer has been saved").waitFor();
  await accessible(page, "holder answered");
  await screenshot(page, "holder-reexamination");
}, phone);

await journey("handler-reads-answer", async (page) => {
  await signIn(page, env("HANDLER_USER"), env("HANDLER_PASSWORD"), "/work");
  await page.goto(`${base}/work/cases/${reexamination}`);
  await page.getByText("came back last week").waitFor();
  await accessible(page, "case with the holder's answer");
  await fits(page, "case with the holder's answer");
}, phone);

// Answering the authority. A handler hears an applicant before refusing (HL 34 §): the
// case is one of a person the test identity provider offers, found through the queue's
// search. The applicant, on a phone in Finnish, reads the draft grounds, the deadline and
// whom to ask, tries a file that is not what its name says (the page says what to do),
// then answers with a PDF; the handler reads the answer and opens the file.
let heard = null;
await journey("handler-hears", async (page) => {
  await page.goto(`${base}/language?to=en&back=/identify`);
  const offered = await page.locator("form[action='/identify'] input[name=person]").evaluateAll(
    (inputs) => inputs.map((i) => i.value));
  await signIn(page, env("HANDLER_USER"), env("HANDLER_PASSWORD"), "/work");
  for (const person of offered) {
    if (person === env("PERSON")) continue;
    await page.goto(`${base}/work?state=referred&find=${encodeURIComponent(person)}`);
    const link = page.locator("a[href^='/work/cases/']").first();
    if (await link.count()) {
      heard = { person, case: (await link.getAttribute("href")).split("/work/cases/")[1] };
      break;
    }
  }
  if (!heard) throw new Error("no referred case of an offered person in the queue");
  await page.goto(`${base}/work/cases/${heard.case}`);
  await page.click("form[action$='/claim'] button");
  await page.getByText("You are handling this case.").waitFor();
  await page.fill("#hear-grounds", "Journey: the pay stated by the Incomes Register is below the minimum of the collective agreement (UlkL 73 §).");
  await page.fill("#hear-days", "14");
  await accessible(page, "case with the hearing form");
  await fits(page, "case with the hearing form");
  await page.click("form[aria-labelledby='hear-heading'] button");
  await page.getByText("The request was sent to the applicant.").waitFor();
  await page.getByText("Waiting for the applicant's answer.").first().waitFor();
  await accessible(page, "case sent for hearing");
  await fits(page, "case sent for hearing");
}, phone);

await journey("applicant-answers", async (page) => {
  await page.goto(`${base}/language?to=fi&back=/identify`);
  await page.click(`form:has(input[value='${heard.person}']) button`);
  await page.waitForURL("**/my/cases");
  await page.goto(`${base}/my/cases/${heard.case}`);
  await page.getByText("Kuuleminen ennen päätöstä").first().waitFor();
  await page.getByText("Vastaa viimeistään").first().waitFor();
  await page.getByText("Maahanmuuttovirasto").first().waitFor();
  await accessible(page, "hearing for the applicant");
  await fits(page, "hearing for the applicant");
  await screenshot(page, "applicant-hearing-phone");
  // A web page named as a PDF: refused, and the page says what to do.
  await page.fill("textarea[name=answer]", "Journey: my new contract raises the pay from next month.");
  await page.setInputFiles("input[type=file][name=files]", {
    name: "sopimus.pdf", mimeType: "application/pdf", buffer: Buffer.from("<html><body>not a pdf</body></html>"),
  });
  await page.click("form[enctype='multipart/form-data'] button");
  await page.getByText("ei ole PDF-, JPEG- eikä PNG-tiedosto").first().waitFor();
  await accessible(page, "refused attachment");
  await fits(page, "refused attachment");
  await page.click("a[href$='" + heard.case + "']");
  await page.fill("textarea[name=answer]", "Journey: my new contract raises the pay from next month.");
  await page.setInputFiles("input[type=file][name=files]", {
    name: "sopimus.pdf", mimeType: "application/pdf",
    buffer: Buffer.from("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"),
  });
  await page.click("form[enctype='multipart/form-data'] button");
  await page.getByText("Vastauksesi").first().waitFor();
  await page.getByText("sopimus.pdf").first().waitFor();
  await accessible(page, "hearing answered");
  await fits(page, "hearing answered");
  await screenshot(page, "applicant-answered-phone");
}, phone);

// A person chooses how they are told, then applies for a permanent permit and pays its
// fee at the (simulated) provider before the application is sent: in Swedish, on a phone.
await journey("applicant-pays", async (page) => {
  await page.goto(`${base}/language?to=sv&back=/identify`);
  await page.click(`form:has(input[value='${env("PAYER")}']) button`);
  await page.waitForURL("**/my/cases");
  await page.click("a[href='/my/contact']");
  await page.getByText("Hur vill du få meddelandena?").first().waitFor();
  // Email without an address: the field says what to fix.
  await page.check("#channel-email");
  await page.click("form[action='/my/contact'] button[type=submit]");
  await page.getByText("Skriv den e-postadress").first().waitFor();
  await accessible(page, "contact choice with an error");
  await fits(page, "contact choice with an error");
  await page.fill("#email", "journey@example.fi");
  await page.check("#language-sv");
  await page.click("form[action='/my/contact'] button[type=submit]");
  await page.getByText("Ditt val har sparats.").first().waitFor();
  await accessible(page, "contact choice saved");
  await fits(page, "contact choice saved");
  await screenshot(page, "applicant-contact-phone");
  await page.goto(`${base}/my/apply/fi.residence-permit.permanent`);
  await page.click("form[action^='/my/apply'] button[type=submit]");
  await page.getByText("Handläggningsavgift").first().waitFor();
  await page.getByText("380 €").first().waitFor();
  await accessible(page, "the fee before sending");
  await fits(page, "the fee before sending");
  await screenshot(page, "applicant-fee-phone");
  // What the registers hold now, in Swedish, before sending (finding 8).
  await page.click("form:has(input[name=action][value=preview]) button[type=submit]");
  await page.getByText("Vad som finns i registren nu").first().waitFor();
  await page.getByText("Detta är inget beslut").first().waitFor();
  await accessible(page, "eligibility preview in Swedish");
  await fits(page, "eligibility preview in Swedish");
  await page.check("#declaration");
  await page.click("form:has(input[name=action][value=send]) button[type=submit]");
  await page.getByText("Betalning (simulerad bank)").first().waitFor();
  await accessible(page, "the provider's page");
  await fits(page, "the provider's page");
  await page.click("form:has(input[name=action][value=pay]) button");
  await page.waitForURL("**/my/cases/*");
  await page.getByText("Betalningen lyckades och din ansökan har skickats.").first().waitFor();
  await page.getByText("Handläggningsavgiften 380 € betald").first().waitFor();
  // What happens next, and the reference to quote (finding 6).
  await page.getByText("Ärendenummer").first().waitFor();
  await accessible(page, "paid and sent");
  await fits(page, "paid and sent");
  await screenshot(page, "applicant-paid-phone");
}, phone);

await journey("handler-reads-hearing-answer", async (page) => {
  await signIn(page, env("HANDLER_USER"), env("HANDLER_PASSWORD"), "/work");
  await page.goto(`${base}/work?state=answered`);
  await page.locator(`a[href='/work/cases/${heard.case}']`).first().waitFor();
  await accessible(page, "queue of answered cases");
  await fits(page, "queue of answered cases");
  await page.goto(`${base}/work/cases/${heard.case}`);
  await page.getByText("my new contract raises the pay").first().waitFor();
  const href = await page.locator("a[href*='/attachments/']").first().getAttribute("href");
  const file = await page.request.get(`${base}${href}`);
  if (file.status() !== 200 || !(await file.text()).startsWith("%PDF")) {
    throw new Error(`the attachment: ${file.status()}`);
  }
  await accessible(page, "case with the applicant's answer");
  await fits(page, "case with the applicant's answer");
  await screenshot(page, "handler-reads-hearing-answer-phone");
}, phone);

// The labour inspector, on a phone: the employers with signs of labour exploitation, then
// the applicant's employer found by its business ID — each indicator stated, today's
// count, month by month — in Swedish.
await journey("labour-inspector", async (page) => {
  await signIn(page, env("INSPECTOR_USER"), env("INSPECTOR_PASSWORD"), "/inspect/employers");
  await page.locator("#employers-total").waitFor();
  await accessible(page, "employers with indicators");
  await fits(page, "employers with indicators");
  // A wrong business ID says what one looks like.
  await page.fill("#employer", "Nokia");
  await page.click("form[aria-label='Show the employer'] button");
  await page.getByText("seven digits, a hyphen and a check digit").first().waitFor();
  await page.goto(`${base}/inspect/employers`);
  await page.fill("#employer", env("EMPLOYER"));
  await page.click("form[aria-label='Show the employer'] button");
  await page.waitForURL(`**/inspect/employers/${env("EMPLOYER")}`);
  await page.getByText("Pay below the minimum").first().waitFor();
  await page.getByText("Month by month").first().waitFor();
  await accessible(page, "employer's indicators");
  await fits(page, "employer's indicators");
  await page.click("a[hreflang=sv]");
  await page.getByText("Lön under minimilönen").first().waitFor();
  await accessible(page, "employer's indicators in Swedish");
  await fits(page, "employer's indicators in Swedish");
  await screenshot(page, "labour-inspector-employer");
}, phone);

// The auditor, on a phone in Finnish: the logs, officials by name and organisation, then
// the chain verified — its finding in Finnish with when it was checked.
await journey("auditor", async (page) => {
  await signIn(page, env("AUDITOR_USER"), env("AUDITOR_PASSWORD"), "/audit");
  await page.goto(`${base}/language?to=fi&back=/audit`);
  await page.getByText("Maahanmuuttovirasto").first().waitFor();
  await accessible(page, "audit logs");
  await fits(page, "audit logs");
  // A person found by name in the population register: their logs, a page at a time.
  await page.fill("#person", env("PERSON_NAME"));
  await page.click("form[action='/audit'] button[type=submit]:not([name])");
  await page.locator("#lookup").waitFor();
  // One person found shows their logs; several, a choice with links.
  const chosen = page.locator(`#lookup a[href='/audit?person=${env("PERSON")}']`);
  if (await chosen.count()) await chosen.click();
  else await page.getByText(`Henkilön ${env("PERSON_NAME")}`).first().waitFor();
  await page.locator("td", { hasText: env("PERSON") }).first().waitFor();
  await page.getByText("henkilöhaku lokien valvontaa varten").first().waitFor();
  await accessible(page, "a person's logs, found by name");
  await fits(page, "a person's logs, found by name");
  await screenshot(page, "auditor-person-phone");
  await page.goto(`${base}/audit`);
  await page.click("button[name=verify]");
  for (let i = 0; i < 40; i++) {
    if (await page.getByText("Ketju on ehjä").count()) break;
    await page.waitForTimeout(250);
    await page.goto(`${base}/audit?verify=progress`);
  }
  await page.getByText("Ketju on ehjä").first().waitFor({ timeout: 1000 });
  await page.getByText("tarkistettu").first().waitFor();
  await accessible(page, "audit chain verified");
  await fits(page, "audit chain verified");
  await screenshot(page, "auditor-chain-phone");
}, phone);

// The analyst, on a phone in Swedish: the key figures' charts and tables fit the screen,
// and a table downloads as a workbook.
await journey("analyst-phone", async (page) => {
  await signIn(page, env("ANALYST_USER"), env("ANALYST_PASSWORD"), "/dashboard");
  await page.goto(`${base}/language?to=sv&back=/dashboard`);
  await page.locator("svg[role=img]").first().waitFor();
  await accessible(page, "dashboard in Swedish");
  await fits(page, "dashboard in Swedish");
  const xlsx = await page.request.get(`${base}/dashboard/matters.xlsx`);
  const bytes = await xlsx.body();
  if (xlsx.status() !== 200 || !bytes.subarray(0, 2).equals(Buffer.from("PK"))) {
    throw new Error(`the workbook: ${xlsx.status()} ${xlsx.headers()["content-type"]}`);
  }
  await screenshot(page, "analyst-dashboard-phone");
}, phone);

// Findings 2, 3, 4, 8 and 9 in Swedish and Finnish. The applicant, in Swedish on a desktop,
// tries the form with a business ID that is not one (the field says what is wrong), reads
// the automated decision in Swedish and asks for it to be rectified; a handler, in Finnish
// on a phone, finds the request in the queue's own view and reads it on the case page.
await journey("rectification-applicant", async (page) => {
  await page.goto(`${base}/language?to=sv&back=/identify`);
  await page.click(`form:has(input[value='${env("PERSON")}']) button`);
  await page.waitForURL("**/my/cases");
  await page.goto(`${base}/my/apply/fi.residence-permit.employed.extension`);
  await page.fill("[name='application.employment.employer_id']", "Nokia");
  await page.click("form[action^='/my/apply'] button[type=submit]");
  await page.getByText("FO-numret har sju siffror").first().waitFor();
  await accessible(page, "form with a wrong business ID, in Swedish");
  await page.goto(`${base}/my/cases/${granted}`);
  await page.getByText("Positivt beslut").first().waitFor();
  await page.getByText("Beslutets nummer").first().waitFor();
  await page.getByText("Fattat automatiskt").first().waitFor();
  await page.getByText("UtlL 54 §").first().waitFor();
  // Where each piece of the applicant's own data came from, and when (finding 8).
  await page.getByText(/källa inkomstregistret, hämtad \d+\.\d+\.\d{4} kl\. \d+\.\d\d/).first().waitFor();
  await accessible(page, "automated decision in Swedish");
  await screenshot(page, "applicant-decision-sv");
  await page.fill("#reason", "Journey: tillståndet borde gälla fyra år, inte ett.");
  await page.click("form[action$='/rectification'] button");
  await page.getByText("Din begäran om omprövning har skickats").first().waitFor();
  await accessible(page, "rectification requested, in Swedish");
});

await journey("rectification-handler", async (page) => {
  await signIn(page, env("HANDLER_USER"), env("HANDLER_PASSWORD"), "/work");
  await page.goto(`${base}/language?to=fi&back=${encodeURIComponent("/work?state=rectification_requested")}`);
  await page.locator(`a[href='/work/cases/${granted}']`).first().waitFor();
  await page.getByText("Hakija pyytää oikaisua").first().waitFor();
  await page.locator("#work-total").waitFor();
  await accessible(page, "rectification requests in the queue, in Finnish");
  await fits(page, "rectification requests in the queue, in Finnish");
  await page.locator(`a[href='/work/cases/${granted}']`).first().click();
  await page.getByText("Hakijan oikaisupyyntö").first().waitFor();
  await page.getByText("tillståndet borde gälla fyra år").first().waitFor();
  await accessible(page, "case with a rectification request, in Finnish");
  await fits(page, "case with a rectification request, in Finnish");
  await screenshot(page, "handler-rectification-phone");
}, phone);

// The identity queue on a phone, in Finnish: the demo's other authorities' records about
// the population leave links a person must check. A handler compares two records side by
// side, reads the evidence in words, is refused a verdict without reasons, then gives one
// that stands; the person's page tells the history.
await journey("identity-queue", async (page) => {
  await signIn(page, env("HANDLER_USER"), env("HANDLER_PASSWORD"), "/work");
  await page.goto(`${base}/language?to=fi&back=${encodeURIComponent("/work")}`);
  await page.locator("#identity-link").waitFor();
  // The demo registers its records in the background: wait for a link to check.
  const deadline = Date.now() + 60_000;
  for (;;) {
    await page.goto(`${base}/work/identity`);
    if (await page.locator("ol.alerts a").count() > 0) break;
    if (Date.now() > deadline) throw new Error("no identity link to check within a minute");
    await page.waitForTimeout(1000);
  }
  await page.getByText("Henkilöllisyysjono").first().waitFor();
  await accessible(page, "identity queue, in Finnish");
  await fits(page, "identity queue, in Finnish");
  await page.locator("ol.alerts a").first().click();
  await page.getByText("Ovatko nämä tietueet sama henkilö?").waitFor();
  await page.getByText("Keltainen: henkilön tarkistettava").waitFor();
  await accessible(page, "an identity link, in Finnish");
  await fits(page, "an identity link, in Finnish");
  await screenshot(page, "identity-link-phone");
  // No reasons: refused, saying what to do.
  await page.check("#verdict-green");
  await page.fill("#verdict-reasons", " ");
  await page.click("form[action$='/verdict'] button");
  await page.getByText("Kirjoita ratkaisusi perustelut.").waitFor();
  await accessible(page, "a verdict refused, in Finnish");
  await page.check("#verdict-green");
  await page.fill("#verdict-reasons", "Eri syntymävuodet ja eri passit: sisarukset, eivät sama henkilö.");
  await page.click("form[action$='/verdict'] button");
  await page.getByText("Ratkaisusi on tallennettu").waitFor();
  await page.getByText("Tämä linkki on ratkaistu. Ratkaisu pysyy.").waitFor();
  await accessible(page, "a verdict saved, in Finnish");
  await page.locator("a[href^='/work/identity/persons/']").first().click();
  await page.getByText("Historia").waitFor();
  await accessible(page, "a person's identity, in Finnish");
  await fits(page, "a person's identity, in Finnish");
  await screenshot(page, "identity-person-phone");
}, phone);

await journey("liaison-flags", async (page) => {
  await signIn(page, env("LIAISON_USER"), env("LIAISON_PASSWORD"), "/liaison/flags");
  await page.goto(`${base}/language?to=sv&back=${encodeURIComponent("/liaison/flags")}`);
  // The demo keeps its contact points and raises its flags in the background: wait for them.
  const deadline = Date.now() + 60_000;
  for (;;) {
    await page.goto(`${base}/liaison/flags`);
    if (await page.locator("ol.alerts h3").count() > 0) break;
    if (Date.now() > deadline) throw new Error("no demo flag within a minute");
    await page.waitForTimeout(1000);
  }
  await page.getByText("Er myndighets markeringar").waitFor();
  await accessible(page, "the liaison's flags, in Swedish");
  await fits(page, "the liaison's flags, in Swedish");
  await screenshot(page, "liaison-flags-phone");
  // A person the identity register does not know: refused, saying what to do.
  await page.fill("#flag-person", "PID-9999999");
  await page.fill("#flag-basis", "UlkL 36 §");
  await page.click("form[action='/liaison/flags'] button");
  await page.getByText("Det finns ingen sådan person i identitetsregistret.").waitFor();
  await accessible(page, "a flag refused, in Swedish");
  // The person of a flag already listed gets another, for public order.
  const heading = await page.locator("ol.alerts h3").first().innerText();
  const person = heading.match(/PID-\d+/)[0];
  await page.fill("#flag-person", person);
  await page.selectOption("#flag-kind", "public_order");
  await page.fill("#flag-basis", "UlkL 36 §");
  await page.click("form[action='/liaison/flags'] button");
  await page.getByText("Markeringen är gjord.").waitFor();
  await page.getByText(`Allmän ordning eller säkerhet: ${person}`).first().waitFor();
  await accessible(page, "a flag raised, in Swedish");
  await fits(page, "a flag raised, in Swedish");
  // Every authority's contact points, searched.
  await page.click("a[href='/contact-points']");
  await page.fill("#points-q", "skyddspolisen");
  await page.click("form[action='/contact-points'] button");
  await page.getByText("Kontaktpunkter: 1").waitFor();
  await accessible(page, "contact points searched, in Swedish");
  await fits(page, "contact points searched, in Swedish");
}, phone);

await browser.close();
console.log("all journeys passed");
