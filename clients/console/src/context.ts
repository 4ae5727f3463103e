// What the pages share with the server that registers them: the context a
// page handler gets, the router, and how a daemon refusal maps to HTTP.

import type { FastifyReply, FastifyRequest } from "fastify";
import type { Daemon, DaemonError } from "./daemon.js";
import type { Html } from "./html.js";
import type { Lang } from "./i18n.js";
import type { Session } from "./session.js";

// What a page handler gets: who is signed in, their language, the daemon.
export interface Context {
  session: Session;
  lang: Lang;
  daemon: Daemon;
  // A call on the user's behalf.
  call(service: Parameters<Daemon["unary"]>[1], method: string, request: object): Promise<Record<string, any>>;
  collect(service: Parameters<Daemon["collect"]>[1], method: string, request: object): Promise<Record<string, any>[]>;
}

export type Handler = (ctx: Context, request: FastifyRequest, reply: FastifyReply) => Promise<Html | void>;

export interface Router {
  get(url: string, handler: Handler): void;
  post(url: string, handler: Handler): void;
}

// The HTTP status of a page the daemon refused.
export function httpStatus(e: DaemonError): number {
  switch (e.codeName) {
    case "NOT_FOUND": return 404;
    case "PERMISSION_DENIED": return 403;
    case "INVALID_ARGUMENT": case "FAILED_PRECONDITION": case "ALREADY_EXISTS": case "ABORTED": return 400;
    case "UNAVAILABLE": case "DEADLINE_EXCEEDED": return 503;
    default: return 500;
  }
}
