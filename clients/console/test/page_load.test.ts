// Page load of the resident page and the task list with 10,000 residents in
// the store: p50 and p95 over 100 loads each, from the browser's navigation
// timing. Reported (test-output/page-load.json and the test's diagnostics),
// not asserted: speed is measured, not timed in tests.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, test, type TestContext } from "node:test";
import type { Page } from "playwright-core";
import { OUTPUT_DIR, startStack, type Stack } from "./harness.js";

const RESIDENTS = 10_000;
const BATCH = 1000; // the most one Import takes
const LOADS = 100;

let stack: Stack;
before(async () => {
  stack = await startStack({ clockStart: "2026-03-02T09:00:00Z" });
  for (let first = 0; first < RESIDENTS; first += BATCH) {
    const persons = [];
    for (let i = first; i < first + BATCH; i++) persons.push(backlog(i));
    const response = await stack.as("admin").call("AdminService", "Import", { persons, source: "page_load_test" });
    for (const outcome of response.outcomes) assert.equal(outcome.result, "IMPORT_RESULT_IMPORTED", outcome.reason);
  }
});
after(async () => { await stack?.stop(); });

function id(i: number): string {
  return `R-${String(i).padStart(5, "0")}`;
}

// Registered in February, first rejection a day later: each has an appeal
// window, a timer and a return conversation in the advisers' queue.
function backlog(i: number) {
  const day = 1 + (i % 27);
  const at = (d: number) => ({ seconds: String(Date.UTC(2026, 1, d, 10) / 1000), nanos: 0 });
  return {
    person_id: id(i),
    events: [
      { line: 2 * i + 1, effective_time: at(day), event: {
        "@type": "type.googleapis.com/returnpath.v1.PersonRegistered", person_id: id(i), household_id: `H-${id(i)}`,
        date_of_birth: { year: 1970 + (i % 40), month: 1 + (i % 12), day: 1 + (i % 28) },
        nationality: ["AF", "SY", "ER", "IQ", "SO"][i % 5], reception_centre: "Oslo-1", region: "REGION_OSLO" } },
      { line: 2 * i + 2, effective_time: at(day + 1), event: {
        "@type": "type.googleapis.com/returnpath.v1.FirstRejection", notified_on: { year: 2026, month: 2, day: day + 1 } } },
    ],
  };
}

async function loadTimes(page: Page, urls: string[]): Promise<number[]> {
  const times: number[] = [];
  for (const url of urls) {
    const response = await page.goto(url, { waitUntil: "load" });
    assert.equal(response?.status(), 200, url);
    times.push(await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      return nav.loadEventEnd - nav.startTime;
    }));
  }
  return times;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  return { loads: times.length, p50_ms: +percentile(sorted, 50).toFixed(1), p95_ms: +percentile(sorted, 95).toFixed(1),
    max_ms: +sorted[sorted.length - 1].toFixed(1) };
}

test(`page loads with ${RESIDENTS} residents in the store`, async (t: TestContext) => {
  const reception = await stack.signIn("reception-oslo");
  const residentUrls = Array.from({ length: LOADS }, (_, k) => `${stack.consoleUrl}/residents/${id((k * 97) % RESIDENTS)}`);
  const resident = summary(await loadTimes(reception, residentUrls));

  const adviser = await stack.signIn("adviser-oslo");
  const taskUrls = Array.from({ length: LOADS }, () => `${stack.consoleUrl}/tasks?queue=advisers%2FOslo-1`);
  assert.match(await (await adviser.goto(taskUrls[0]))!.text(), /R-0/);
  const tasks = summary(await loadTimes(adviser, taskUrls));

  const report = { residents: RESIDENTS, resident_page: resident, task_list: tasks };
  writeFileSync(path.join(OUTPUT_DIR, "page-load.json"), JSON.stringify(report, null, 2) + "\n");
  t.diagnostic(JSON.stringify(report));
});
