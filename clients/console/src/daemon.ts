// The console's only way to the daemon: its gRPC API, called with the
// signed-in user's own token, so the daemon's roles, scopes and access log
// apply to every page exactly as to returnctl.

import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

export type Message = Record<string, any>;

export interface DaemonOptions {
  address: string;     // host:port of returnpathd
  protoDir: string;    // the repository's proto/ directory
  caFile?: string;     // PEM of the daemon's CA, for TLS; absent: plaintext (loopback)
}

// A refusal or failure of the daemon, with its sentence.
export class DaemonError extends Error {
  constructor(readonly code: grpc.status, readonly details: string) {
    super(details);
  }
  get codeName(): string {
    return grpc.status[this.code] ?? String(this.code);
  }
}

type Service = "PathwayService" | "TaskService" | "AuditService" | "AdminService";

const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  json: true, // Any payloads come back decoded, with "@type"
};

// The API and the domain messages its Any payloads carry.
const PROTO_FILES = [
  "returnpath/v1/services.proto",
  "returnpath/v1/pathway.proto",
  "returnpath/v1/pathway_state.proto",
  "returnpath/v1/household.proto",
];

// A field of a message, as the descriptor gives it.
export interface FieldInfo {
  name: string;
  label: string;    // LABEL_OPTIONAL, LABEL_REPEATED
  type: string;     // TYPE_STRING, TYPE_MESSAGE, ...
  typeName: string; // fully qualified, for messages and enums
}

export class Daemon {
  private readonly clients = new Map<Service, grpc.Client>();
  private readonly definition: protoLoader.PackageDefinition;

  constructor(options: DaemonOptions) {
    const definition = protoLoader.loadSync(
      PROTO_FILES, { ...LOADER_OPTIONS, includeDirs: [options.protoDir] });
    this.definition = definition;
    const loaded = grpc.loadPackageDefinition(definition) as any;
    const credentials = options.caFile
      ? grpc.credentials.createSsl(require_file(options.caFile))
      : grpc.credentials.createInsecure();
    for (const name of ["PathwayService", "TaskService", "AuditService", "AdminService"] as Service[]) {
      const ctor = loaded.returnpath.v1[name] as typeof grpc.Client;
      this.clients.set(name, new ctor(options.address, credentials));
    }
  }

  // The fields of a message type ("returnpath.v1.FirstRejection").
  fields(typeName: string): FieldInfo[] {
    const type = (this.definition[typeName] as any)?.type;
    if (!type?.field) return [];
    return type.field.map((f: any) => ({
      name: f.name, label: f.label, type: f.type, typeName: f.typeName ? this.qualify(f.typeName) : "",
    }));
  }

  // The value names of an enum type ("returnpath.v1.Region").
  enumValues(typeName: string): string[] {
    const type = (this.definition[typeName] as any)?.type;
    return (type?.value ?? []).map((v: any) => v.name as string);
  }

  private qualify(name: string): string {
    if (this.definition[name]) return name;
    return `returnpath.v1.${name}`;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
  }

  // One call answered once.
  unary(token: string, service: Service, method: string, request: Message,
        deadlineSeconds = 30): Promise<Message> {
    const client = this.clients.get(service) as any;
    return new Promise((resolve, reject) => {
      client[method](request, metadata(token), { deadline: deadline(deadlineSeconds) },
        (error: grpc.ServiceError | null, response: Message) => {
          if (error) reject(toDaemonError(error));
          else resolve(response);
        });
    });
  }

  // A server stream, message by message; `cancel` ends it early.
  stream(token: string, service: Service, method: string, request: Message,
         onMessage: (message: Message) => void,
         deadlineSeconds = 600): { done: Promise<void>; cancel: () => void } {
    const client = this.clients.get(service) as any;
    const call: grpc.ClientReadableStream<Message> =
      client[method](request, metadata(token), { deadline: deadline(deadlineSeconds) });
    const done = new Promise<void>((resolve, reject) => {
      call.on("data", onMessage);
      call.on("error", (error: grpc.ServiceError) => {
        if (error.code === grpc.status.CANCELLED) resolve();
        else reject(toDaemonError(error));
      });
      call.on("end", () => resolve());
    });
    return { done, cancel: () => call.cancel() };
  }

  // A server stream, collected.
  async collect(token: string, service: Service, method: string,
                request: Message): Promise<Message[]> {
    const all: Message[] = [];
    await this.stream(token, service, method, request, (m) => all.push(m)).done;
    return all;
  }
}

function metadata(token: string): grpc.Metadata {
  const m = new grpc.Metadata();
  m.set("authorization", `Bearer ${token}`);
  m.set("purpose", "console");
  return m;
}

function deadline(seconds: number): Date {
  return new Date(Date.now() + seconds * 1000);
}

function toDaemonError(error: grpc.ServiceError): DaemonError {
  return new DaemonError(error.code, error.details || error.message);
}

import { readFileSync } from "node:fs";
function require_file(file: string): Buffer {
  return readFileSync(file);
}
