import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/**
 * Connection bookkeeping for a graceful stop. Once draining, a keep-alive connection is closed
 * as soon as nothing runs on it: idle ones at once, busy ones right after their last answer
 * (which says `Connection: close` when its headers are still unsent).
 */
export class ConnectionDrain {
  /** Open connections → requests in flight on each. */
  private readonly sockets = new Map<Socket, number>();
  private readonly responses = new Set<ServerResponse>();
  private draining = false;
  private onIdle: (() => void) | undefined;

  constructor(server: Server) {
    server.on("connection", (socket: Socket) => {
      this.sockets.set(socket, 0);
      socket.once("close", () => this.sockets.delete(socket));
    });
  }

  get isDraining(): boolean {
    return this.draining;
  }

  get inFlight(): number {
    return this.responses.size;
  }

  /** Counts a request as in flight until its response has finished or its connection died. */
  track(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    this.sockets.set(socket, (this.sockets.get(socket) ?? 0) + 1);
    this.responses.add(res);
    res.once("close", () => {
      this.responses.delete(res);
      const left = (this.sockets.get(socket) ?? 1) - 1;
      if (this.sockets.has(socket)) this.sockets.set(socket, left);
      if (!this.draining) return;
      if (left === 0) socket.end();
      if (this.responses.size === 0) this.onIdle?.();
    });
  }

  /** Starts draining; resolves once no request is in flight any more. */
  drain(): Promise<void> {
    this.draining = true;
    for (const [socket, busy] of this.sockets) if (busy === 0) socket.destroy();
    for (const res of this.responses) if (!res.headersSent) res.setHeader("connection", "close");
    if (this.responses.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.onIdle = resolve;
    });
  }

  /** Cuts every connection still open (at the deadline, or after the drain). */
  closeAll(): void {
    for (const socket of this.sockets.keys()) socket.destroy();
  }
}
