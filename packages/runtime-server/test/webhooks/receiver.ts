import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One delivery as the receiver saw it. */
export interface Received {
  id: string;
  timestamp: number;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  signatureValid: boolean;
  answered: number;
}

/**
 * A webhook receiver on loopback that checks each delivery the way the Standard Webhooks
 * convention tells receivers to (computed here with node:crypto, independently of the
 * runtime's signing code), answers `status()` and keeps every request. `down()` closes the
 * port (connection refused); `up()` listens on the same port again.
 */
export class Receiver {
  readonly requests: Received[] = [];
  status: (r: Received) => number = () => 200;
  #server: Server | undefined;
  port = 0;

  constructor(private readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/mozaiks`;
  }

  /** Each webhook-id once, in arrival order: what a receiver that deduplicates processes. */
  get processed(): Received[] {
    const seen = new Set<string>();
    return this.requests.filter(
      (r) => r.answered === 200 && r.signatureValid && !seen.has(r.id) && seen.add(r.id),
    );
  }

  verify(id: string, timestamp: string, body: string, header: string): boolean {
    const key = Buffer.from(this.secret.replace(/^whsec_/, ""), "base64");
    const expected = Buffer.from(
      `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`,
    );
    return header.split(" ").some((s) => {
      const given = Buffer.from(s);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  }

  up(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const id = String(req.headers["webhook-id"] ?? "");
        const ts = String(req.headers["webhook-timestamp"] ?? "");
        const r: Received = {
          id,
          timestamp: Number(ts),
          body,
          payload: JSON.parse(body),
          signatureValid: this.verify(id, ts, body, String(req.headers["webhook-signature"] ?? "")),
          answered: 0,
        };
        r.answered = r.signatureValid ? this.status(r) : 401;
        this.requests.push(r);
        res.writeHead(r.answered).end();
      });
    });
    this.#server = server;
    return new Promise((resolve) => {
      server.listen(this.port, "127.0.0.1", () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  down(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
