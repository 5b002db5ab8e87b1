import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, onTestFinished } from "vitest";

/** Answers one request; `body` is the whole request body as text. */
export type LoopbackHandler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

const open = new Set<Server>();

function close(server: Server): Promise<void> {
  open.delete(server);
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

try {
  afterAll(() => Promise.all([...open].map(close)).then(() => undefined));
} catch {
  // not collecting a test file
}

/**
 * An HTTP server on 127.0.0.1 at a free port, closed (with its connections) when the test
 * finishes, or, started outside a test, when the file is done.
 */
export async function listen(handler: LoopbackHandler): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  open.add(server);
  try {
    onTestFinished(() => close(server));
  } catch {
    // not inside a test: closed with the file's afterAll
  }
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
