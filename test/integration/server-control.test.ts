// POST /control/* and GET /control/{id} on both sinks: each command lands in daemon_control
// and is consumed the way the daemon consumes it; auth failures are 401 with no effect,
// repeated failures are rate-limited, bad bodies are 400/413/415, and the token never leaks.
import { expect, setDefaultTimeout, test } from "bun:test";
import type { ControlReceipt, ControlView } from "../../src/server/control-view.ts";
import type { Sink } from "../../src/sink/port.ts";
import type { MakeSink } from "../support/sinks.ts";
import { serverUnderTest, TEST_TOKEN } from "../support/server-app.ts";
import { statusRow, T0_MS } from "../support/sink-rows.ts";
import { describeSinks } from "../support/sinks.ts";

// The first PostgreSQL test starts the throwaway cluster; Chromium and daemons take seconds too.
setDefaultTimeout(60_000);

const COMMANDS = [
  ["stop", "stop"],
  ["pause", "pause"],
  ["resume", "resume"],
  ["flatten", "flatten"],
  ["retry-broker", "retry_broker"],
  ["accept-position", "accept_position"],
] as const;

/** A sink where gs-test (the server's default) and gs-2 have written status rows: commands may target them. */
async function sinkWithDaemons(makeSink: MakeSink): Promise<Sink> {
  const sink = await makeSink();
  for (const daemonId of ["gs-test", "gs-2"]) sink.writeStatus(statusRow({ daemonId }), { history: false });
  await sink.flush();
  return sink;
}

describeSinks("server control", (makeSink) => {
  test("a command for a daemon id that never wrote a status row (a typo) is refused with 404 naming the known ids, and nothing is queued", async () => {
    const sink = await sinkWithDaemons(makeSink);
    const server = serverUnderTest(sink);
    const response = await server.request("POST", "/control/stop", { body: JSON.stringify({ daemon_id: "gs-testt" }) });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "unknown_daemon", field: "daemon_id", message: 'daemon_id was "gs-testt", which has never written a status row; expected one of: gs-2, gs-test' });
    expect(await sink.claimControl("gs-testt", T0_MS)).toEqual([]);
    const empty = serverUnderTest(await makeSink());
    expect(await (await empty.request("POST", "/control/pause")).json()).toMatchObject({ error: "unknown_daemon", message: 'daemon_id was "gs-test", which has never written a status row; none has written a status row to this database yet' });
  });

  test.each(COMMANDS)("POST /control/%s queues %s for the daemon, GET /control/{id} shows it consumed with its result", async (path, command) => {
    const sink = await sinkWithDaemons(makeSink);
    const server = serverUnderTest(sink);
    const body = path === "flatten" || path === "accept-position" ? JSON.stringify({ confirm: true, reason: "end of day" }) : JSON.stringify({ reason: "test" });
    const response = await server.request("POST", `/control/${path}`, { body });
    expect(response.status).toBe(202);
    const receipt = (await response.json()) as ControlReceipt;
    expect(receipt).toEqual({ id: receipt.id, command: path, daemon_id: "gs-test", status_url: `/control/${receipt.id}` });

    const pending = (await (await server.request("GET", receipt.status_url)).json()) as ControlView;
    expect(pending).toMatchObject({ id: receipt.id, command: path, daemon_id: "gs-test", consumed: false, result: null, issued_at_ms: T0_MS + 1_000 });

    const claimed = await sink.claimControl("gs-test", T0_MS + 2_000);
    expect(claimed.map((row) => [row.id, row.command])).toEqual([[receipt.id, command]]);
    sink.completeControl(receipt.id, `${command} done`, T0_MS + 2_000);
    await sink.flush();
    const done = (await (await server.request("GET", receipt.status_url)).json()) as ControlView;
    expect(done).toMatchObject({ consumed: true, consumed_at_ms: T0_MS + 2_000, result: `${command} done` });
  });

  test("daemon_id in the body targets another daemon", async () => {
    const sink = await sinkWithDaemons(makeSink);
    const response = await serverUnderTest(sink).request("POST", "/control/pause", { body: JSON.stringify({ daemon_id: "gs-2" }) });
    expect(((await response.json()) as ControlReceipt).daemon_id).toBe("gs-2");
    expect(await sink.claimControl("gs-test", T0_MS)).toEqual([]);
    expect((await sink.claimControl("gs-2", T0_MS)).map((row) => row.command)).toEqual(["pause"]);
  });

  test.each(["flatten", "accept-position"])("%s without confirm: true is refused and queues nothing", async (path) => {
    const sink = await sinkWithDaemons(makeSink);
    const server = serverUnderTest(sink);
    for (const body of [undefined, "{}", JSON.stringify({ confirm: false })]) {
      const response = await server.request("POST", `/control/${path}`, body === undefined ? {} : { body });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_request", field: "confirm", message: expect.stringContaining(`expected true: ${path}`) });
    }
    expect(await sink.claimControl("gs-test", T0_MS)).toEqual([]);
  });

  test("missing, wrong or malformed tokens get 401 with no hint, and nothing is queued", async () => {
    const sink = await sinkWithDaemons(makeSink);
    const server = serverUnderTest(sink);
    const attempts: (string | null)[] = [null, "wrong-token-0000000000", `${TEST_TOKEN}x`, TEST_TOKEN.slice(0, -1)];
    for (const token of attempts) {
      const response = await server.request("POST", "/control/stop", { token });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="gs"');
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ error: "unauthorized", message: "Authentication required." });
      expect(text).not.toContain(TEST_TOKEN.slice(0, 8));
    }
    const basic = await server.request("POST", "/control/stop", { token: null, headers: { authorization: `Basic ${btoa(`gs:${TEST_TOKEN}`)}` } });
    expect(basic.status).toBe(401);
    expect(await sink.claimControl("gs-test", T0_MS)).toEqual([]);
    expect(server.logLines.join("\n")).not.toContain(TEST_TOKEN);
  });

  test("repeated wrong tokens are rate-limited until the window passes; the right token still passes", async () => {
    const sink = await sinkWithDaemons(makeSink);
    const server = serverUnderTest(sink, { failureLimit: { maxFailures: 3, windowMs: 60_000 } });
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await server.request("POST", "/control/stop", { token: "guess-guess-guess-guess" })).status).toBe(401);
    const limited = await server.request("POST", "/control/stop", { token: "guess-guess-guess-guess" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBe(60);
    expect(await sink.claimControl("gs-test", T0_MS)).toEqual([]);
    // Loopback clients share one address: someone else's guesses must not lock the operator out.
    expect((await server.request("POST", "/control/stop")).status).toBe(202);
    server.nowMs += 60_000;
    expect((await server.request("POST", "/control/stop", { token: "guess-guess-guess-guess" })).status).toBe(401);
  });

  test("requests without a token are refused but never count towards the limit", async () => {
    const sink = await sinkWithDaemons(makeSink);
    const server = serverUnderTest(sink, { failureLimit: { maxFailures: 3, windowMs: 60_000 } });
    for (let attempt = 0; attempt < 10; attempt += 1) expect((await server.request("POST", "/control/pause", { token: null })).status).toBe(401);
    expect((await server.request("POST", "/control/pause", { token: "guess-guess-guess-guess" })).status).toBe(401);
  });

  test("a web page of another site can neither act nor lock the operator out; the dashboard behind a reverse proxy acts", async () => {
    const sink = await sinkWithDaemons(makeSink);
    const server = serverUnderTest(sink, { failureLimit: { maxFailures: 3, windowMs: 60_000 } });
    // What <form method=post action=http://127.0.0.1:8765/control/pause> sends from another
    // site: a browser cannot add an Authorization header to it (that needs a preflight, which
    // this server never approves), so it comes without the token.
    for (const origin of ["https://evil.example", "null"]) {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const response = await server.request("POST", "/control/pause", { token: null, body: "x", headers: { origin, "content-type": "text/plain" } });
        expect(response.status).toBe(401);
      }
    }
    expect(await sink.claimControl("gs-test", T0_MS)).toEqual([]);
    // The dashboard through a proxy that sends Host: 127.0.0.1 (API.md): its Origin names the
    // public host, and its token makes it the operator's.
    expect((await server.request("POST", "/control/pause", { headers: { origin: "https://gs.example.com" } })).status).toBe(202);
    expect((await server.request("POST", "/control/stop", { token: "guess-guess-guess-guess" })).status).toBe(401);
  });

  test("a server without a token refuses every control command", async () => {
    const sink = await sinkWithDaemons(makeSink);
    const server = serverUnderTest(sink, { token: null });
    expect((await server.request("POST", "/control/pause", { token: "anything-anything-1" })).status).toBe(401);
    expect((await server.request("POST", "/control/pause", { token: null })).status).toBe(401);
    expect(await sink.claimControl("gs-test", T0_MS)).toEqual([]);
  });

  test("read routes need the token too when bound to a non-loopback address", async () => {
    const sink = await sinkWithDaemons(makeSink);
    const server = serverUnderTest(sink, { readsNeedToken: true });
    for (const path of ["/status", "/operations", "/history", "/metrics", "/control/1", "/events"]) {
      expect((await server.request("GET", path, { token: null })).status).toBe(401);
    }
    for (const path of ["/status", "/control/1", "/events"]) expect((await server.request("HEAD", path, { token: null })).status).toBe(401);
    expect((await server.request("GET", "/status", { token: TEST_TOKEN })).status).toBe(200);
    for (const path of ["/healthz", "/readyz", "/", "/openapi.json"]) expect((await server.request("GET", path, { token: null })).status).toBe(200);
  });

  test("bad bodies: unknown field, wrong type, not JSON, wrong content type, too large", async () => {
    const sink = await sinkWithDaemons(makeSink);
    const server = serverUnderTest(sink);
    const cases: [string | undefined, Record<string, string>, number, string][] = [
      [JSON.stringify({ confrim: true }), {}, 400, "confrim"],
      [JSON.stringify({ confirm: "yes" }), {}, 400, "confirm"],
      [JSON.stringify({ daemon_id: "../etc" }), {}, 400, "daemon_id"],
      ["{not json", {}, 400, "body"],
      ["confirm=true", { "content-type": "application/x-www-form-urlencoded" }, 415, "content-type"],
      [JSON.stringify({ reason: "x".repeat(20_000) }), {}, 413, "body"],
      // PostgreSQL text cannot hold U+0000 (was a 500); a newline would forge log lines.
      [JSON.stringify({ reason: "end\u0000of day" }), {}, 400, "reason"],
      [JSON.stringify({ reason: "end\nof day" }), {}, 400, "reason"],
    ];
    for (const [body, headers, status, field] of cases) {
      const response = await server.request("POST", "/control/pause", { ...(body === undefined ? {} : { body }), headers });
      expect(response.status).toBe(status);
      expect(((await response.json()) as { field: string }).field).toBe(field);
    }
    expect(await sink.claimControl("gs-test", T0_MS)).toEqual([]);
  });

  test("unknown command and malformed ids are 400 naming the field; an unknown id is 404", async () => {
    const server = serverUnderTest(await makeSink());
    const unknown = await server.request("POST", "/control/explode");
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ field: "command", message: expect.stringContaining("one of: stop, pause, resume, flatten, retry-broker") });
    const badId = await server.request("GET", "/control/abc");
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({ field: "id" });
    expect((await server.request("GET", "/control/999999")).status).toBe(404);
  });
});
