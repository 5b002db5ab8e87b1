import { connect, type Socket } from "node:net";

/** One HTTP/1.x response as read off a raw socket. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Opens a TCP connection to the `http://host:port` of `url`. */
export function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ""), port: Number(port) }, () =>
      resolve(socket),
    );
    socket.once("error", reject);
  });
}

/**
 * Writes `bytes` exactly as given and reads until the server closes the connection (every error
 * answer of the HTTP layer closes it), then parses the first response.
 */
export async function rawExchange(url: string, bytes: string): Promise<RawResponse> {
  const socket = await openSocket(url);
  const chunks: Buffer[] = [];
  const closed = new Promise<void>((resolve) => {
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", () => resolve());
    socket.on("close", () => resolve());
  });
  socket.write(bytes);
  await closed;
  return parseResponse(Buffer.concat(chunks).toString("latin1"));
}

export function parseResponse(text: string): RawResponse {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) throw new Error(`no complete HTTP response in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(":");
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = text.slice(end + 4);
  const length = headers["content-length"];
  if (length !== undefined) body = body.slice(0, Number(length));
  return { status, headers, body };
}
