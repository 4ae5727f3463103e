// The console end to end against the real daemon on a manual clock: a
// reception user registers a family and records a first rejection, an
// adviser claims and completes the conversation task, a refusal changes
// nothing, a task arriving shows up live, and a user of another centre sees
// none of it.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { registerPerson, startStack, type Stack } from "./harness.js";

let stack: Stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

// What people recorded for a person (timers fire on their own as the clock moves).
async function recordedByPeople(id: string): Promise<string[]> {
  const events = await stack.as("auditor").collect("AuditService", "History", { person_id: id });
  return events.filter((e) => !e.principal.startsWith("system:")).map((e) => `${e.stream_version} ${e.payload["@type"]}`);
}

async function register(page: Page, fields: { id: string; born: string; role: string; guardians?: string }) {
  await page.goto(`${stack.consoleUrl}/register`);
  await page.getByLabel("Saksnummer", { exact: true }).fill(fields.id);
  await page.getByLabel("Husstand-ID").fill("H-1");
  await page.getByLabel("Fødselsdato").fill(fields.born);
  await page.getByLabel("Nasjonalitet (landkode, f.eks. AF)").fill("AF");
  await page.getByLabel("Mottak", { exact: true }).fill("Oslo-1");
  await page.getByLabel("Region", { exact: true }).selectOption("REGION_OSLO");
  await page.getByLabel("Rolle i husstanden").selectOption(fields.role);
  if (fields.guardians) await page.getByLabel("Foresattes saksnumre (kommaseparert)").fill(fields.guardians);
  await page.getByRole("button", { name: "Registrer", exact: true }).click();
  await page.waitForURL(new RegExp(`/residents/${fields.id}\\?recorded=1`));
  assert.match(await page.getByRole("status").innerText(), /Registrert/);
}

test("reception registers a family and sees the appeal window of a first rejection", async () => {
  const page = await stack.signIn("reception-oslo");
  await register(page, { id: "G-1", born: "1985-04-01", role: "HOUSEHOLD_ROLE_GUARDIAN" });
  await register(page, { id: "C-1", born: "2014-06-01", role: "HOUSEHOLD_ROLE_CHILD", guardians: "G-1" });
  await stack.screenshot(page, "resident-child");

  await page.goto(`${stack.consoleUrl}/residents/G-1`);
  assert.match(await page.locator("#household").innerText(), /C-1/);
  await page.getByLabel("Hendelse", { exact: true }).selectOption("FirstRejection");
  await page.getByRole("button", { name: "Vis" }).click();
  await page.getByLabel("Meddelt (dato)").fill("2026-03-02");
  await page.getByLabel("Vedtaksreferanse").fill("UDI-2026-0001");
  await page.getByRole("button", { name: "Registrer", exact: true }).click();
  await page.waitForURL(/\/residents\/G-1\?recorded=1/);

  const deadlines = await page.locator("#deadlines").innerText();
  assert.match(deadlines, /Klagefrist\s+23\.03\.2026\s+løper\s+02\.03\.2026/);
  assert.match(deadlines, /appeal_window/);
  assert.match(await page.locator("#stage").innerText(), /Avslag i første instans/);
  assert.match(await page.locator("#timeline").innerText(), /Avslag i første instans.*meddelt 02\.03\.2026/s);
  assert.match(await page.locator("#open-tasks").innerText(), /Return conversation/);
  await stack.screenshot(page, "resident");
});

test("an adviser claims and completes the conversation task from the task list", async () => {
  await stack.advanceClock(8 * 24);
  const page = await stack.signIn("adviser-oslo");
  await page.goto(`${stack.consoleUrl}/tasks`);
  const row = page.locator("#queue-tasks tbody tr", { hasText: "G-1" }).first();
  assert.match(await row.innerText(), /forfalt/); // due 09.03, now 10.03
  await stack.screenshot(page, "tasks");
  await row.getByRole("button", { name: /Ta oppgaven/ }).click();
  await page.waitForURL(/done=/);
  const mine = page.locator("#my-tasks li", { hasText: "G-1" });
  await mine.getByLabel("Utfall").fill("held");
  await mine.getByLabel("Notat").fill("Explained assisted return; will consider IOM.");
  await mine.getByRole("button", { name: "Fullfør" }).click();
  await page.waitForURL(/done=/);
  assert.match(await page.getByRole("status").first().innerText(), /fullført/);
  assert.equal(await page.locator("#my-tasks").count(), 0);

  const view = await stack.as("adviser-oslo").call("PathwayService", "GetPathway", { person_id: "G-1" });
  assert.ok(!view.open_tasks.some((task: any) => task.kind === "return_conversation"));
});

test("a task arriving shows up in an open task list without a reload", async () => {
  const page = await stack.signIn("adviser-oslo");
  await page.goto(`${stack.consoleUrl}/tasks?queue=advisers%2FOslo-1`);
  await page.locator("#queue-list[data-live=ready]").waitFor();
  await registerPerson(stack, "reception-oslo", "P-2");
  await stack.record("reception-oslo", "P-2", "FirstRejection");
  await page.locator("#live-status", { hasText: "Nye oppgaver" }).waitFor();
  assert.match(await page.locator("#queue-tasks").innerText(), /P-2/);
});

test("a refused event shows the daemon's sentence and records nothing", async () => {
  await stack.advanceClock(22 * 24); // past the appeal window (23.03)
  const before = await recordedByPeople("G-1");
  const page = await stack.signIn("reception-oslo");
  await page.goto(`${stack.consoleUrl}/residents/G-1?record=AppealLodged`);
  await page.getByRole("button", { name: "Registrer", exact: true }).click();
  const alert = page.getByRole("alert");
  assert.match(await alert.innerText(), /cannot record an appeal: the appeal window closed on 2026-03-23/);
  await stack.screenshot(page, "refused");
  assert.deepEqual(await recordedByPeople("G-1"), before);
  assert.ok(!before.some((e) => e.endsWith("AppealLodged")));
});

test("a reception user of another centre sees none of Oslo's residents", async () => {
  const page = await stack.signIn("reception-bergen");
  await page.goto(`${stack.consoleUrl}/residents`);
  assert.doesNotMatch(await page.locator("main").innerText(), /G-1|C-1|P-2/);
  await page.getByLabel("Saksnummer", { exact: true }).fill("G-1");
  await page.getByRole("button", { name: "Søk" }).click();
  assert.match(await page.getByRole("alert").innerText(), /Ikke funnet/);
  const direct = await page.goto(`${stack.consoleUrl}/residents/G-1`);
  assert.equal(direct?.status(), 404);
  assert.doesNotMatch(await page.locator("main").innerText(), /AF|Oslo-1|UDI-2026/);
});
