// Signed-in users: a random session id in an HttpOnly cookie, the user's own
// token in memory only (never written anywhere, gone on restart or sign-out).

import { randomBytes } from "node:crypto";
import type { Lang } from "./i18n.js";

export interface Session {
  id: string;
  name: string;   // who signed in, as the daemon knows them
  token: string;
  lang: Lang;
  lastSeen: number;
  ended: boolean;  // signed out or idle too long: streams still open stop
}

const IDLE_MS = 8 * 60 * 60 * 1000; // a working day

export class Sessions {
  private readonly byId = new Map<string, Session>();

  create(name: string, token: string, lang: Lang): Session {
    const session = { id: randomBytes(32).toString("base64url"), name, token, lang, lastSeen: Date.now(), ended: false };
    this.byId.set(session.id, session);
    return session;
  }

  find(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.byId.get(id);
    if (!session) return undefined;
    if (Date.now() - session.lastSeen > IDLE_MS) {
      this.end(id);
      return undefined;
    }
    session.lastSeen = Date.now();
    return session;
  }

  end(id: string | undefined): void {
    const session = id ? this.byId.get(id) : undefined;
    if (!session) return;
    session.ended = true;
    this.byId.delete(session.id);
  }
}

export const COOKIE = "rp_session";

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}
