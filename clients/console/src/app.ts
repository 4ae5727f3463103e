// The console's web server: sign-in, sessions, the pages, and the rule that
// every page speaks to the daemon with the signed-in user's own token.

import { readFileSync } from "node:fs";
import * as path from "node:path";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import formbody from "@fastify/formbody";
import { Daemon, DaemonError } from "./daemon.js";
import { httpStatus, type Context, type Handler, type Router } from "./context.js";
import { html, type Html } from "./html.js";
import { parseLang, t, type Lang } from "./i18n.js";
import { alertBox, page } from "./layout.js";
import { COOKIE, readCookie, Sessions, type Session } from "./session.js";
import { registerResidentPages } from "./pages/residents.js";
import { registerTaskPages } from "./pages/tasks.js";
import { registerAuditPages } from "./pages/audit.js";

export interface ConsoleOptions {
  daemon: Daemon;
  staticDir: string;
  secureCookies?: boolean; // behind TLS
}

const STATIC_TYPES: Record<string, string> = {
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
};

export function buildConsole(options: ConsoleOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  const sessions = new Sessions();
  app.register(formbody);

  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("Content-Security-Policy",
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'");
    reply.header("X-Content-Type-Options", "nosniff");
    // same-origin: the browser sends its Origin on our own forms (checked
    // below) and no address of a page to other sites.
    reply.header("Referrer-Policy", "same-origin");
    reply.header("Cache-Control", "no-store");
    return payload;
  });

  // A form posted from another site is refused (the cookie is also SameSite=Strict).
  app.addHook("preHandler", async (request, reply) => {
    if (request.method !== "POST") return;
    const origin = request.headers.origin;
    if (origin && hostOf(origin) !== request.headers.host) {
      reply.code(403).type("text/plain").send("cross-site form refused");
    }
  });

  const langOf = (request: FastifyRequest, session?: Session): Lang =>
    session?.lang ?? parseLang(readCookie(request.headers.cookie, "rp_lang"));

  const cookie = (name: string, value: string, maxAge?: number) =>
    `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict` +
    (options.secureCookies ? "; Secure" : "") + (maxAge !== undefined ? `; Max-Age=${maxAge}` : "");

  const signIn = (lang: Lang, refusal?: string, name = ""): Html => page({
    lang, title: t(lang, "signIn"), section: "none",
    body: html`${refusal ? alertBox(lang, "refused", refusal) : ""}
<form method="post" action="/login" class="record">
  <div class="field"><label for="name">${t(lang, "name")}</label>
    <input id="name" name="name" autocomplete="username" required value="${name}"></div>
  <div class="field"><label for="token">${t(lang, "token")}</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required aria-describedby="token-help"></div>
  <button type="submit">${t(lang, "signIn")}</button>
</form>
<p id="token-help" class="muted">${t(lang, "tokenHelp")}</p>`,
  });

  app.get("/login", async (request, reply) => {
    reply.type("text/html; charset=utf-8").send(signIn(langOf(request)).text);
  });

  // The token is checked by the daemon itself (Now answers every principal).
  app.post("/login", async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, string>;
    const lang = langOf(request);
    const name = String(body.name ?? "").trim();
    const token = String(body.token ?? "").trim();
    try {
      await options.daemon.unary(token, "AdminService", "Now", {});
    } catch (e) {
      const sentence = e instanceof DaemonError ? e.details : String(e);
      reply.code(401).type("text/html; charset=utf-8").send(signIn(lang, sentence, name).text);
      return;
    }
    const session = sessions.create(name || "?", token, lang);
    reply.header("Set-Cookie", cookie(COOKIE, session.id)).redirect("/residents", 303);
  });

  app.post("/logout", async (request, reply) => {
    sessions.end(readCookie(request.headers.cookie, COOKIE));
    reply.header("Set-Cookie", cookie(COOKIE, "", 0)).redirect("/login", 303);
  });

  app.post("/lang", async (request, reply) => {
    const lang = parseLang((request.body as Record<string, string> | undefined)?.lang);
    const session = sessions.find(readCookie(request.headers.cookie, COOKIE));
    if (session) session.lang = lang;
    const back = pathOf(request.headers.referer);
    reply.header("Set-Cookie", cookie("rp_lang", lang, 365 * 24 * 3600)).redirect(back, 303);
  });

  app.get("/static/:file", async (request, reply) => {
    const file = path.basename((request.params as { file: string }).file);
    const type = STATIC_TYPES[path.extname(file)];
    if (!type) return reply.code(404).send();
    try {
      reply.type(type).send(readFileSync(path.join(options.staticDir, file)));
    } catch {
      reply.code(404).send();
    }
  });

  app.get("/", async (_request, reply) => reply.redirect("/residents", 303));

  const wrap = (handler: Handler) => async (request: FastifyRequest, reply: FastifyReply) => {
    const session = sessions.find(readCookie(request.headers.cookie, COOKIE));
    if (!session) {
      if (request.headers.accept === "text/event-stream") return reply.code(401).send();
      return reply.redirect("/login", 303);
    }
    const ctx: Context = {
      session, lang: session.lang, daemon: options.daemon,
      call: (service, method, req) => options.daemon.unary(session.token, service, method, req),
      collect: (service, method, req) => options.daemon.collect(session.token, service, method, req),
    };
    try {
      const out = await handler(ctx, request, reply);
      if (out && !reply.sent) reply.type("text/html; charset=utf-8").send(out.text);
    } catch (e) {
      if (reply.sent) return;
      const daemonError = e instanceof DaemonError ? e : undefined;
      if (daemonError?.codeName === "UNAUTHENTICATED") {
        sessions.end(session.id);
        return reply.header("Set-Cookie", cookie(COOKIE, "", 0)).redirect("/login", 303);
      }
      const status = daemonError ? httpStatus(daemonError) : 500;
      reply.code(status).type("text/html; charset=utf-8").send(page({
        lang: ctx.lang, title: t(ctx.lang, status === 404 ? "notFound" : "error"), section: "none", session,
        body: alertBox(ctx.lang, status === 404 ? "notFound" : "error", daemonError ? daemonError.details : String(e)),
      }).text);
    }
  };
  const router: Router = {
    get: (url, handler) => app.get(url, wrap(handler)),
    post: (url, handler) => app.post(url, wrap(handler)),
  };
  registerResidentPages(router);
  registerTaskPages(router);
  registerAuditPages(router);
  return app;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

// The page a form came from, to go back to (only a path on this console).
function pathOf(referer: string | undefined): string {
  try {
    const url = new URL(referer ?? "");
    return url.pathname + url.search;
  } catch {
    return "/";
  }
}
