// What the browser tests stand on: a real returnpathd on a manual clock (its
// own data directory and principals), the console in front of it, and
// Debian's Chromium driven by playwright-core. Nothing is downloaded.

import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { Daemon } from "../src/daemon.js";

const here = path.dirname(fileURLToPath(import.meta.url));
export const CONSOLE_DIR = path.resolve(here, "../..");
export const REPO = path.resolve(CONSOLE_DIR, "../..");
export const OUTPUT_DIR = path.join(CONSOLE_DIR, "test-output");

export const PRINCIPALS = {
  "reception-oslo": { role: "ROLE_RECEPTION", scopes: ["centre/Oslo-1", "queue/reception/Oslo-1"] },
  "reception-bergen": { role: "ROLE_RECEPTION", scopes: ["centre/Bergen-1", "queue/reception/Bergen-1"] },
  "adviser-oslo": { role: "ROLE_ADVISER", scopes: ["queue/advisers/Oslo-1", "centre/Oslo-1"] },
  "police": { role: "ROLE_POLICE", scopes: ["queue/police/pu", "region/OSLO"] },
  "auditor": { role: "ROLE_AUDITOR", scopes: ["*"] },
  "admin": { role: "ROLE_ADMIN", scopes: [] as string[] },
} as const;
export type PrincipalName = keyof typeof PRINCIPALS;

function binary(): string {
  const fromEnv = process.env.RETURNPATHD;
  const built = path.join(REPO, process.env.BUILD_DIR ?? "build", "tools/returnpathd/returnpathd");
  const bin = fromEnv || built;
  if (!existsSync(bin)) throw new Error(`no returnpathd at ${bin}: build it (tools/build) or set RETURNPATHD`);
  return bin;
}

async function waitForFile(file: string, child: ChildProcess, what: string, log: () => string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    if (existsSync(file)) {
      const text = readFileSync(file, "utf8").trim();
      if (text) return text;
    }
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}):\n${log()}`);
    await new Promise((r) => setTimeout(r, 50)); // process start-up, not a deadline
  }
  throw new Error(`${what} did not start:\n${log()}`);
}

export interface Stack {
  dir: string;
  tokens: Record<PrincipalName, string>;
  daemonPort: number;
  consoleUrl: string;
  browser: Browser;
  // The daemon's API as one principal (setting up data, moving the clock).
  as(name: PrincipalName): { call: (service: any, method: string, req: object) => Promise<any>; collect: (service: any, method: string, req: object) => Promise<any[]> };
  advanceClock(hours: number): Promise<void>;
  // The daemon's clock now, as a Timestamp message.
  now(): Promise<Record<string, unknown>>;
  // Records an event of `kind` ("FirstRejection") now, through the API.
  record(as: PrincipalName, id: string, kind: string, fields?: Record<string, unknown>): Promise<void>;
  signIn(name: PrincipalName, lang?: "nb" | "en"): Promise<Page>;
  screenshot(page: Page, name: string): Promise<void>;
  daemonLog(): string;
  stop(): Promise<void>;
}

export async function startStack(options: { clockStart?: string; extraDaemonFlags?: string[] } = {}): Promise<Stack> {
  const dir = mkdtempSync(path.join(tmpdir(), "rp_console_"));
  const dataDir = path.join(dir, "data");
  mkdirSync(dataDir);
  const tokens = {} as Record<PrincipalName, string>;
  const entries: string[] = [];
  for (const [name, p] of Object.entries(PRINCIPALS)) {
    const token = randomBytes(24).toString("base64url");
    tokens[name as PrincipalName] = token;
    const digest = createHash("sha256").update(token).digest("hex");
    entries.push(`principal { name: "${name}" role: ${p.role} token_sha256: "${digest}" ${p.scopes.map((s) => `scopes: "${s}"`).join(" ")} }`);
  }
  const principals = path.join(dir, "principals.textproto");
  writeFileSync(principals, entries.join("\n") + "\n", { mode: 0o600 });

  let daemonOut = "";
  const daemonPortFile = path.join(dir, "daemon.port");
  const daemon = spawn(binary(), [
    `--data_dir=${dataDir}`, `--policy_dir=${path.join(REPO, "workflows/return_pathway/policy")}`,
    `--principals=${principals}`, "--listen=127.0.0.1:0", `--port_file=${daemonPortFile}`,
    "--clock=manual", `--clock_start=${options.clockStart ?? "2026-03-02T09:00:00Z"}`,
    ...(options.extraDaemonFlags ?? []),
  ], { stdio: ["ignore", "pipe", "pipe"] });
  daemon.stdout!.on("data", (d) => { daemonOut += d; });
  daemon.stderr!.on("data", (d) => { daemonOut += d; });
  const daemonPort = Number(await waitForFile(daemonPortFile, daemon, "returnpathd", () => daemonOut));

  let consoleOut = "";
  const consolePortFile = path.join(dir, "console.port");
  const consoleProcess = spawn(process.execPath, [
    path.join(CONSOLE_DIR, "dist/src/main.js"), "--listen=127.0.0.1:0",
    `--daemon=127.0.0.1:${daemonPort}`, `--port_file=${consolePortFile}`,
  ], { stdio: ["ignore", "pipe", "pipe"] });
  consoleProcess.stdout!.on("data", (d) => { consoleOut += d; });
  consoleProcess.stderr!.on("data", (d) => { consoleOut += d; });
  const consolePort = Number(await waitForFile(consolePortFile, consoleProcess, "console", () => consoleOut));
  const consoleUrl = `http://127.0.0.1:${consolePort}`;

  const api = new Daemon({ address: `127.0.0.1:${daemonPort}`, protoDir: path.join(REPO, "proto") });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox"],
  });
  mkdirSync(path.join(OUTPUT_DIR, "screenshots"), { recursive: true });

  const stack: Stack = {
    dir, tokens, daemonPort, consoleUrl, browser,
    as: (name) => ({
      call: (service, method, req) => api.unary(tokens[name], service, method, req),
      collect: (service, method, req) => api.collect(tokens[name], service, method, req),
    }),
    async advanceClock(hours: number) {
      await api.unary(tokens.admin, "AdminService", "AdvanceClock", { by: { seconds: String(hours * 3600), nanos: 0 } });
    },
    async now() {
      return (await api.unary(tokens.admin, "AdminService", "Now", {})).now;
    },
    async record(as, id, kind, fields = {}) {
      await api.unary(tokens[as], "PathwayService", "RecordEvent", {
        person_id: id, event: { "@type": `type.googleapis.com/returnpath.v1.${kind}`, ...fields },
        effective_time: await stack.now(),
      });
    },
    async signIn(name, lang = "nb") {
      const context = await browser.newContext({
        viewport: { width: 1366, height: 768 }, locale: lang === "nb" ? "nb-NO" : "en-GB", timezoneId: "Europe/Oslo",
      });
      const page = await context.newPage();
      if (lang === "en") {
        await context.addCookies([{ name: "rp_lang", value: "en", url: consoleUrl }]);
      }
      await page.goto(`${consoleUrl}/login`);
      await page.getByLabel(lang === "nb" ? "Navn" : "Name").fill(name);
      await page.getByLabel(lang === "nb" ? "Tilgangsnøkkel" : "Access token").fill(tokens[name]);
      await page.getByRole("button", { name: lang === "nb" ? "Logg inn" : "Sign in" }).click();
      await page.waitForURL(/\/residents/);
      return page;
    },
    async screenshot(page, name) {
      await page.screenshot({ path: path.join(OUTPUT_DIR, "screenshots", `${name}.png`), fullPage: true });
    },
    daemonLog: () => daemonOut,
    async stop() {
      await browser.close();
      api.close();
      consoleProcess.kill("SIGTERM");
      daemon.kill("SIGTERM");
      await Promise.all([exited(consoleProcess), exited(daemon)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

// Registers a person through the API (test set-up, not the test's subject).
export async function registerPerson(stack: Stack, as: PrincipalName, id: string,
                                     fields: Record<string, unknown> = {}): Promise<void> {
  await stack.as(as).call("PathwayService", "RecordEvent", {
    person_id: id,
    event: {
      "@type": "type.googleapis.com/returnpath.v1.PersonRegistered",
      person_id: id, household_id: `H-${id}`, date_of_birth: { year: 1990, month: 5, day: 1 },
      nationality: "AF", reception_centre: "Oslo-1", region: "REGION_OSLO", ...fields,
    },
    effective_time: await stack.now(),
    expected_version: "0",
  });
}
