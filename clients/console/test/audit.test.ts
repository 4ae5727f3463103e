// The audit section end to end against the real daemon on a manual clock:
// two residents, a first rejection whose appeal window runs out (a timer
// fires), then an auditor reads the history with its hashes, the pathway as
// of two dates, verifies the chain and replays the log with live progress,
// runs the compliance check, sees the statistics as charts with tables, and
// finds their own reads in the person's access log.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { registerPerson, startStack, type Stack } from "./harness.js";

let stack: Stack;

async function historyOf(id: string): Promise<any[]> {
  return stack.as("auditor").collect("AuditService", "History", { person_id: id });
}

before(async () => {
  stack = await startStack(); // the clock starts at 02.03.2026 10:00 in Oslo
  await registerPerson(stack, "reception-oslo", "R-1");
  await registerPerson(stack, "reception-oslo", "R-2", { nationality: "SO" });
  await stack.record("reception-oslo", "R-1", "FirstRejection");
  await stack.record("reception-oslo", "R-2", "Disappeared");
  await stack.advanceClock(22 * 24); // past the appeal window (23.03.2026)
  for (let i = 0; i < 100; i++) { // the timer fires on the daemon's own thread
    if ((await historyOf("R-1")).some((e) => e.payload["@type"].endsWith("TimerFired"))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail("the appeal window's timer did not fire");
});
after(async () => { await stack?.stop(); });

test("the history lists every event with its hashes", async () => {
  const page = await stack.signIn("auditor");
  await page.goto(`${stack.consoleUrl}/audit`);
  await page.getByLabel("Saksnummer").first().fill("R-1");
  await page.getByRole("button", { name: "Vis" }).first().click();
  await page.waitForURL(/\/audit\/history\?person=R-1/);

  const events = await historyOf("R-1");
  const rows = page.locator("#history tbody tr");
  assert.equal(await rows.count(), events.length);
  const table = await page.locator("#history").innerText();
  assert.match(table, /Registrert som beboer/);
  assert.match(table, /Avslag i første instans/);
  assert.match(table, /Frist utløp/);
  assert.match(table, /system:timer/);
  const last = events[events.length - 1];
  const lastRow = rows.last();
  assert.match(await lastRow.locator("th").innerText(), new RegExp(`^${last.position}$`));
  const [hash, previous] = await lastRow.locator("code.hash").evaluateAll((codes) => codes.map((c) => c.getAttribute("title")));
  assert.equal(hash, Buffer.from(last.hash).toString("hex"));
  assert.equal(previous, Buffer.from(last.previous_hash).toString("hex"));
  assert.match(hash!, /^[0-9a-f]{64}$/);
  await stack.screenshot(page, "audit-history");

  await page.getByRole("link", { name: "Vis hele hashene" }).click();
  assert.match(await rows.last().innerText(), new RegExp(hash!));
  await page.context().close();
});

test("the pathway as of a date: before and after the appeal window ran out", async () => {
  const page = await stack.signIn("auditor");
  await page.goto(`${stack.consoleUrl}/audit/as-of?person=R-1&date=2026-03-05`);
  assert.match(await page.locator("#as-of-when").innerText(), /utgangen av 05\.03\.2026/);
  assert.match(await page.locator("#stage").innerText(), /Avslag i første instans/);
  assert.match(await page.locator("#deadlines").innerText(), /Klagefrist.*23\.03\.2026\s+løper/s);
  assert.match(await page.locator("#open-tasks").innerText(), /Return conversation/);
  await stack.screenshot(page, "audit-as-of");

  await page.getByLabel("Dato").fill("2026-03-24");
  await page.getByRole("button", { name: "Vis" }).click();
  await page.waitForURL(/date=2026-03-24/);
  assert.match(await page.locator("#stage").innerText(), /Endelig avslag/);
  assert.match(await page.locator("#deadlines").innerText(), /Klagefrist.*23\.03\.2026\s+utløpt/s);
  await page.context().close();
});

test("verify streams its progress and shows the outcome", async () => {
  const page = await stack.signIn("auditor");
  await page.goto(`${stack.consoleUrl}/audit/verify`);
  const requests: string[] = [];
  page.on("request", (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
  await page.getByRole("button", { name: "Kjør" }).click();
  await page.locator("#outcome-text", { hasText: "I orden" }).waitFor();

  assert.ok(requests.includes("GET /audit/verify/stream"), requests.join(", "));
  assert.ok(!requests.includes("POST /audit/verify"), "the page posted instead of streaming");
  const progress = page.locator("#progress");
  assert.equal(await progress.evaluate((p: HTMLProgressElement) => p.value === p.max && p.max > 0), true);
  assert.match(await page.locator("#outcome-text").innerText(), /verified: hashes and chain intact/);
  assert.match(await page.locator("#chain-head").innerText(), /^[0-9a-f]{64}$/);
  assert.ok(Number(await page.locator("#access-records").innerText()) > 0);
  assert.match(await page.getByRole("status").innerText(), /I orden/);
  await stack.screenshot(page, "audit-verify");

  // Without JavaScript the form posts and the page shows the same outcome.
  const posted = await page.request.post(`${stack.consoleUrl}/audit/verify`, { form: { from: "", to: "" } });
  assert.equal(posted.status(), 200);
  assert.match(await posted.text(), /I orden:<\/strong> positions 1\.\.\d+ verified/);
  await page.context().close();
});

test("the replay check finds no differences", async () => {
  const page = await stack.signIn("auditor");
  await page.goto(`${stack.consoleUrl}/audit/replay`);
  await page.getByRole("button", { name: "Kjør" }).click();
  await page.locator("#outcome-text").waitFor();
  assert.match(await page.locator("#outcome-text").innerText(), /I orden/);
  assert.equal(await page.locator("#streams").innerText(), "2");
  assert.equal(await page.locator("#differences-count").innerText(), "0");
  assert.match(await page.locator("#outcome").innerText(), /Ingen avvik/);
  await stack.screenshot(page, "audit-replay");
  await page.context().close();
});

test("compliance over everyone shows the findings and the summary", async () => {
  const page = await stack.signIn("auditor");
  await page.goto(`${stack.consoleUrl}/audit/compliance`);
  await page.getByRole("button", { name: "Kjør" }).click();
  await page.locator("#summary").waitFor();
  assert.equal(await page.locator("#summary-persons").innerText(), "2");
  const found = Number(await page.locator("#summary-findings").innerText());
  assert.ok(found > 0, "the return conversation was never held");
  assert.equal(await page.locator("#findings tbody tr").count(), found);
  const findings = await page.locator("#findings").innerText();
  assert.match(findings, /R-1.*return_conversation_overdue.*Saksbehandling/s);
  assert.match(await page.locator("#by-rule").innerText(), /return_conversation_overdue\s+1/);
  await stack.screenshot(page, "audit-compliance");
  await page.context().close();
});

test("statistics: a chart and its table by month, kind and nationality", async () => {
  const page = await stack.signIn("auditor");
  await page.goto(`${stack.consoleUrl}/audit/statistics`);
  const chart = page.locator("svg#kinds-chart");
  assert.equal(await chart.getAttribute("role"), "img");
  assert.match(await chart.locator("title").textContent() ?? "", /^Per type: 2 stolper, totalt 2\. Størst: /);
  assert.equal(await chart.locator("rect.bar").count(), 2);
  assert.match(await page.locator("#kinds-table").innerText(), /Endelig avslag\s+1\s+Forsvunnet\s+1\s+Totalt\s+2/);
  assert.match(await page.locator("#months-table").innerText(), /mars 2026\s+2/);
  assert.match(await page.locator("#groups-table").innerText(), /AF\s+1\s+SO\s+1/);
  assert.equal(await page.locator("svg#months-chart rect.bar").count(), 1);
  await stack.screenshot(page, "audit-statistics");

  await page.getByLabel("Fra").fill("2026-04-01");
  await page.getByRole("button", { name: "Vis" }).click();
  assert.match(await page.locator("main").innerText(), /Ingen tall i perioden/);
  await page.context().close();
});

test("the access log lists the auditor's own reads of the person", async () => {
  const page = await stack.signIn("auditor");
  await page.goto(`${stack.consoleUrl}/audit/history?person=R-1`);
  await page.getByRole("link", { name: "Tilgangslogg" }).click();
  await page.waitForURL(/\/audit\/access\?person=R-1/);
  const rows = page.locator("#access-records tbody tr");
  assert.match(await rows.first().innerText(), /^24\.03\.2026 10:00\s+auditor\s+revisor\s+History\s+console/);
  const methods = await page.locator("#access-records tbody tr td:nth-child(4)").allInnerTexts();
  assert.ok(methods.includes("PathwayAsOf") && methods.includes("Compliance"), methods.join(", "));
  await stack.screenshot(page, "audit-access");
  await page.context().close();
});

test("a refusal shows the daemon's sentence in place", async () => {
  const auditor = await stack.signIn("auditor");
  const missing = await auditor.goto(`${stack.consoleUrl}/audit/history?person=NOBODY`);
  assert.equal(missing?.status(), 404);
  assert.match(await auditor.getByRole("alert").innerText(), /Ikke funnet: .*NOBODY/);
  assert.equal(await auditor.getByLabel("Saksnummer").inputValue(), "NOBODY");
  await auditor.context().close();

  const bergen = await stack.signIn("reception-bergen");
  const outOfScope = await bergen.goto(`${stack.consoleUrl}/audit/history?person=R-1`);
  assert.equal(outOfScope?.status(), 404);
  assert.match(await bergen.getByRole("alert").innerText(), /R-1/);
  assert.equal(await bergen.locator("#history").count(), 0);
  await bergen.goto(`${stack.consoleUrl}/audit/as-of?person=R-1&date=2026-03-05`);
  assert.ok(await bergen.getByRole("alert").count() === 1);
  assert.doesNotMatch(await bergen.locator("main").innerText(), /Klagefrist|Oslo-1/);
  await stack.screenshot(bergen, "audit-refused");
  await bergen.context().close();
});
