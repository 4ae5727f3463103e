// The frame of every page: skip link, header with navigation, language and
// sign-out, one <main> with the page's own <h1>.

import { html, type Html } from "./html.js";
import { t, type Lang } from "./i18n.js";
import type { Session } from "./session.js";

export type Section = "residents" | "tasks" | "audit" | "none";

export interface PageOptions {
  lang: Lang;
  title: string;
  section: Section;
  session?: Session;
  body: Html;
  scripts?: string[];
}

export function page(o: PageOptions): Html {
  const lang = o.lang;
  const nav = (section: Exclude<Section, "none">, href: string) =>
    html`<li><a href="${href}"${o.section === section ? html` aria-current="page"` : ""}>${t(lang, section)}</a></li>`;
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · ${t(lang, "appName")}</title>
<link rel="stylesheet" href="/static/console.css">
${(o.scripts ?? []).map((s) => html`<script src="/static/${s}" defer></script>`)}
</head>
<body>
<a class="skip" href="#main">${t(lang, "skip")}</a>
<header>
  <p class="brand">${t(lang, "appName")}</p>
  ${o.session ? html`<nav aria-label="${lang === "nb" ? "Hovedmeny" : "Main"}"><ul>
    ${nav("residents", "/residents")}${nav("tasks", "/tasks")}${nav("audit", "/audit")}
  </ul></nav>` : ""}
  <form method="post" action="/lang" class="lang">
    <label for="lang-select">${t(lang, "language")}</label>
    <select id="lang-select" name="lang">
      <option value="nb"${lang === "nb" ? html` selected` : ""}>Norsk bokmål</option>
      <option value="en"${lang === "en" ? html` selected` : ""}>English</option>
    </select>
    <button type="submit">OK</button>
  </form>
  ${o.session ? html`<form method="post" action="/logout" class="who">
    <span>${t(lang, "signedInAs")} <strong>${o.session.name}</strong></span>
    <button type="submit">${t(lang, "signOut")}</button>
  </form>` : ""}
</header>
<main id="main" tabindex="-1">
<h1>${o.title}</h1>
${o.body}
</main>
</body>
</html>`;
}

// A refusal or failure in place, read out by screen readers.
export function alertBox(lang: Lang, heading: "refused" | "error" | "notFound", sentence: string): Html {
  return html`<div class="alert" role="alert"><strong>${t(lang, heading)}:</strong> ${sentence}</div>`;
}

export function notice(text: string): Html {
  return html`<div class="notice" role="status">${text}</div>`;
}
