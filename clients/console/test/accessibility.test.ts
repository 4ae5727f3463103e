// Every page checked by axe-core in Chromium: zero serious or critical
// violations (labels, headings, landmarks, contrast, names of controls).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { registerPerson, startStack, type PrincipalName, type Stack } from "./harness.js";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

let stack: Stack;
before(async () => {
  stack = await startStack();
  await registerPerson(stack, "reception-oslo", "A-1");
  await stack.record("reception-oslo", "A-1", "FirstRejection");
  await stack.advanceClock(8 * 24);
});
after(async () => { await stack?.stop(); });

interface Violation { id: string; impact: string; help: string; nodes: { target: string[] }[] }

async function seriousViolations(page: Page): Promise<Violation[]> {
  await page.evaluate(AXE);
  const violations: Violation[] = await page.evaluate(async () =>
    (await (window as any).axe.run(document, { resultTypes: ["violations"] })).violations);
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

function describe(violations: Violation[]): string {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`).join("\n");
}

const PAGES: [PrincipalName, string][] = [
  ["reception-oslo", "/residents"],
  ["reception-oslo", "/residents/A-1"],
  ["reception-oslo", "/residents/A-1?record=FirstRejection"],
  ["reception-oslo", "/residents?case=NOBODY"],
  ["reception-oslo", "/register"],
  ["adviser-oslo", "/tasks"],
  ["auditor", "/audit"],
  ["auditor", "/audit/history?person=A-1"],
  ["auditor", "/audit/as-of?person=A-1&date=2026-03-05"],
  ["auditor", "/audit/compliance"],
  ["auditor", "/audit/access?person=A-1"],
  ["auditor", "/audit/statistics"],
];

// The check itself can fail: an unlabelled field and low contrast are found.
test("axe finds what these tests guard against", async () => {
  const page = await (await stack.browser.newContext()).newPage();
  await page.setContent(`<!doctype html><html lang="nb"><head><title>x</title></head><body><main><h1>x</h1>
    <input name="case"><p style="color:#bbb;background:#fff">svak kontrast</p></main></body></html>`);
  const found = (await seriousViolations(page)).map((v) => v.id).sort();
  assert.deepEqual(found, ["color-contrast", "label"]);
  await page.context().close();
});

test("the sign-in page has no serious accessibility violation", async () => {
  const page = await (await stack.browser.newContext()).newPage();
  await page.goto(`${stack.consoleUrl}/login`);
  const found = await seriousViolations(page);
  assert.equal(found.length, 0, describe(found));
});

for (const [who, path] of PAGES) {
  for (const lang of ["nb", "en"] as const) {
    test(`${path} as ${who} (${lang}) has no serious accessibility violation`, async () => {
      const page = await stack.signIn(who, lang);
      const response = await page.goto(`${stack.consoleUrl}${path}`);
      assert.ok(response && response.status() < 500, `${path}: HTTP ${response?.status()}`);
      assert.equal(await page.locator("h1").count(), 1);
      const found = await seriousViolations(page);
      assert.equal(found.length, 0, describe(found));
      await page.context().close();
    });
  }
}
