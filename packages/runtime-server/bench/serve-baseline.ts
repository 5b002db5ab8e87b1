// Baseline for the bench: a bare hono POST echo server on loopback, no middleware.
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono().post("/echo", async (c) => c.json(await c.req.json()));
serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
  process.stdout.write(`${JSON.stringify({ port: info.port })}\n`);
});
