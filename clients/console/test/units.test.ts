// The console's own small parts, without a daemon or a browser.

import assert from "node:assert/strict";
import { test } from "node:test";
import { formatCivilDate, formatDate, formatMoney, isoDateInOslo, osloInstant } from "../src/format.js";
import { html } from "../src/html.js";
import { enumText, payloadDetails } from "../src/domain_text.js";
import { Sessions } from "../src/session.js";

test("dates are dd.mm.yyyy in Oslo, across midnight and daylight saving", () => {
  assert.equal(formatDate(new Date("2026-03-01T23:30:00Z")), "02.03.2026"); // 00:30 in Oslo (CET)
  assert.equal(formatDate(new Date("2026-07-01T22:30:00Z")), "02.07.2026"); // 00:30 in Oslo (CEST)
  assert.equal(formatCivilDate({ year: 2026, month: 3, day: 2 }), "02.03.2026");
  assert.equal(isoDateInOslo(new Date("2026-12-31T23:30:00Z")), "2027-01-01");
});

test("the start of a day in Oslo is its midnight, in winter and in summer", () => {
  assert.equal(osloInstant("2026-03-02", 0)?.toISOString(), "2026-03-01T23:00:00.000Z");
  assert.equal(osloInstant("2026-07-02", 0)?.toISOString(), "2026-07-01T22:00:00.000Z");
  assert.equal(osloInstant("not a date"), undefined);
});

test("money is kr with spaces between thousands", () => {
  assert.equal(formatMoney(20000), "kr\u00a020\u00a0000");
  assert.equal(formatMoney(1500000), "kr\u00a01\u00a0500\u00a0000");
  assert.equal(formatMoney(950), "kr\u00a0950");
});

test("values in a page are escaped; nested html is not", () => {
  const name = `<script>alert("x")</script>`;
  assert.equal(html`<p>${name}</p>`.text, "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>");
  assert.equal(html`<div>${html`<b>${"a&b"}</b>`}</div>`.text, "<div><b>a&amp;b</b></div>");
});

test("a payload reads as words", () => {
  assert.equal(enumText("APPEAL_OUTCOME_REJECTED"), "rejected");
  assert.equal(payloadDetails({ "@type": "x/returnpath.v1.FirstRejection", notified_on: { year: 2026, month: 3, day: 2 },
    decision_reference: "UDI-1" }, "nb"), "meddelt 02.03.2026, vedtak UDI-1");
  assert.equal(payloadDetails({ cash_nok: "20000" }, "en"), "cash kr\u00a020\u00a0000");
});

test("a session that ended is gone, and says so to streams still holding it", () => {
  const sessions = new Sessions();
  const session = sessions.create("kari", "token-1", "nb");
  assert.equal(sessions.find(session.id), session);
  sessions.end(session.id);
  assert.equal(session.ended, true);
  assert.equal(sessions.find(session.id), undefined);
  assert.equal(sessions.find("not-a-session"), undefined);
});
