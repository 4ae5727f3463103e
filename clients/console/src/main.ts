// returnpath-console: parses its flags and serves the console.
//   --listen=127.0.0.1:8080   where browsers reach it
//   --daemon=127.0.0.1:7443   returnpathd's gRPC address
//   --daemon_ca=FILE          the daemon's CA (PEM) for TLS; unset: plaintext (loopback only)
//   --proto_dir=DIR           the repository's proto/ (default: beside the console)
//   --port_file=FILE          writes the port it listens on (for --listen=...:0)
//   --secure_cookies          behind a TLS-terminating reverse proxy

import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Daemon } from "./daemon.js";
import { buildConsole } from "./app.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");

function flag(name: string, fallback = ""): string {
  const prefix = `--${name}=`;
  const arg = process.argv.find((a) => a.startsWith(prefix));
  return arg ? arg.slice(prefix.length) : fallback;
}

function isLoopback(address: string): boolean {
  return /^(127\.|localhost:|\[::1\]:)/.test(address);
}

async function main(): Promise<void> {
  const listen = flag("listen", "127.0.0.1:8080");
  const daemonAddress = flag("daemon", "127.0.0.1:7443");
  const caFile = flag("daemon_ca") || undefined;
  if (!caFile && !isLoopback(daemonAddress)) {
    throw new Error(`--daemon=${daemonAddress} is not on loopback: give --daemon_ca=FILE so tokens travel over TLS`);
  }
  const daemon = new Daemon({ address: daemonAddress, protoDir: flag("proto_dir", path.resolve(root, "../../proto")), caFile });
  const app = buildConsole({ daemon, staticDir: path.join(root, "public"), secureCookies: process.argv.includes("--secure_cookies") });
  const colon = listen.lastIndexOf(":");
  const address = await app.listen({ host: listen.slice(0, colon), port: Number(listen.slice(colon + 1)) });
  const port = app.server.address();
  const portFile = flag("port_file");
  if (portFile && port && typeof port === "object") writeFileSync(portFile, String(port.port));
  console.error(`returnpath console: ${address} (daemon ${daemonAddress})`);
  const stop = () => { app.close().then(() => { daemon.close(); process.exit(0); }); };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((e) => {
  console.error(`returnpath console: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
