// Operator commands through both channels (control file and the sink's daemon_control
// queue): pause keeps data flowing without hedging, resume re-arms, flatten closes only the
// hedge shares, stop ends the daemon; bad lines are rejected and recorded, never fatal.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claimedPath } from "../../src/daemon/control-file.ts";
import type { Sink } from "../../src/sink/port.ts";
import type { ControlCommand } from "../../src/sink/records.ts";
import { describeSinks } from "../support/sinks.ts";
import type { Market, RunningDaemon } from "./daemon-harness.ts";
import { DAEMON_ID, operations, quoteAndSettle, runningDaemon, SETTINGS, SPOT } from "./daemon-harness.ts";

// PostgreSQL round trips make some cases take seconds; nothing here asserts on time.
setDefaultTimeout(30_000);

const directory = mkdtempSync(join(tmpdir(), "gs-daemon-control-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;

interface Channel {
  readonly name: string;
  send(sink: Sink, controlFile: string, command: ControlCommand): Promise<void>;
}

const CHANNELS: readonly Channel[] = [
  { name: "control file", send: async (_sink, controlFile, command) => writeFileSync(controlFile, `${command}\n`, { flag: "a" }) },
  {
    name: "daemon_control queue",
    send: async (sink, _controlFile, command) => {
      await sink.issueControl({ daemonId: DAEMON_ID, command, args: {}, issuedBy: "test", tsMs: Date.now() });
    },
  },
];

async function setUp(sink: Sink): Promise<{ market: Market; running: RunningDaemon; controlFile: string }> {
  const controlFile = join(directory, `gs-${++files}.control`);
  return { ...(await runningDaemon(sink, { controlFile })), controlFile };
}

/**
 * Control polls as the poll timer runs them, awaited to the end (the queue is a real database):
 * two, since a control file claimed at one poll is read at the next.
 */
async function poll(running: RunningDaemon, market: Market): Promise<void> {
  for (let round = 0; round < 2; round++) {
    await running.daemon.pollControl();
    await market.clock.advance(0);
  }
}

async function stockShares(market: Market): Promise<number> {
  const positions = await market.broker.positions();
  return positions.find((position) => position.contract.secType === "STK")?.quantity ?? 0;
}

describeSinks("daemon control", (makeSink) => {
  for (const channel of CHANNELS) {
    test(`pause stops hedging but not status, resume re-arms (${channel.name})`, async () => {
      const sink = await makeSink();
      const { market, running, controlFile } = await setUp(sink);
      await channel.send(sink, controlFile, "pause");
      await poll(running, market);
      expect(running.daemon.state).toBe("PAUSED");

      market.broker.pushPrice(SPOT);
      await market.clock.advance(SETTINGS.heartbeatMs);
      expect(await operations(sink, ["order_sent"])).toEqual([]);
      const [paused] = await sink.readStatusCurrent(DAEMON_ID);
      expect(paused?.paused).toBe(true);
      expect(paused?.state).toBe("PAUSED");
      expect(paused?.spot).toBe(SPOT);
      expect(market.clock.nowMs() - (paused?.tsMs ?? 0)).toBeLessThanOrEqual(SETTINGS.heartbeatMs);

      await channel.send(sink, controlFile, "resume");
      await poll(running, market);
      expect(running.daemon.state).toBe("RUNNING");
      await quoteAndSettle(market);
      expect(await operations(sink, ["order_sent"])).toHaveLength(1);
      const results = (await operations(sink, ["control"])).map((operation) => operation.reason);
      expect(results).toEqual(["paused", "resumed"]);
    });

    test(`flatten closes only the hedge shares, then pauses (${channel.name})`, async () => {
      const sink = await makeSink();
      const { market, running, controlFile } = await setUp(sink);
      await quoteAndSettle(market);
      const hedged = await stockShares(market);
      expect(hedged).toBeLessThan(0);
      const optionsBefore = (await market.broker.positions()).filter((position) => position.contract.secType === "OPT");

      await channel.send(sink, controlFile, "flatten");
      await poll(running, market);
      await market.clock.advance(100);
      expect(running.daemon.state).toBe("PAUSED");
      expect(await stockShares(market)).toBe(0);
      const optionsAfter = (await market.broker.positions()).filter((position) => position.contract.secType === "OPT");
      expect(optionsAfter).toEqual(optionsBefore);
      const intents = await operations(sink, ["hedge_intent"]);
      expect(intents.at(-1)?.reason).toBe("flatten");
      expect(intents.at(-1)?.side).toBe("BUY");
      expect(intents.at(-1)?.quantityShares).toBe(-hedged);
      // Paused after flattening: the next quote does not re-hedge.
      await quoteAndSettle(market);
      expect(await operations(sink, ["order_sent"])).toHaveLength(2);
    });

    test(`stop ends the daemon with a final STOPPED row (${channel.name})`, async () => {
      const sink = await makeSink();
      const { market, running, controlFile } = await setUp(sink);
      await channel.send(sink, controlFile, "stop");
      await poll(running, market);
      expect(await running.daemon.stopped).toBe(0);
      const [status] = await sink.readStatusCurrent(DAEMON_ID);
      expect(status?.state).toBe("STOPPED");
      expect(status?.brokerConnected).toBe(false);
      expect((await operations(sink, ["control"])).map((operation) => operation.reason)).toEqual(["stopping"]);
    });
  }

  test("a queued command is marked consumed with its result", async () => {
    const sink = await makeSink();
    const { market, running } = await setUp(sink);
    const id = await sink.issueControl({ daemonId: DAEMON_ID, command: "retry_broker", args: {}, issuedBy: "test", tsMs: Date.now() });
    await poll(running, market);
    await sink.flush();
    const row = await sink.getControl(id);
    expect(row?.result).toBe("ignored: broker not down (state RUNNING)");
    expect(row?.consumedAtMs).not.toBeNull();
    expect(running.daemon.state).toBe("RUNNING");
  });

  test("control file lines are consumed exactly once; bad lines are rejected and recorded, never fatal", async () => {
    const sink = await makeSink();
    const { market, running, controlFile } = await setUp(sink);
    writeFileSync(controlFile, "# operator note\nfly-to-the-moon\n\npause\n");
    await poll(running, market);
    expect(existsSync(controlFile)).toBe(false);
    await poll(running, market);
    await poll(running, market);
    expect(running.daemon.state).toBe("PAUSED");
    const controls = await operations(sink, ["control"]);
    expect(controls.map((operation) => operation.reason)).toEqual([
      'rejected: control command was "fly-to-the-moon", expected one of stop, pause, resume, flatten, retry_broker, accept_position',
      "paused",
    ]);
    expect(running.log.some((line) => line.includes("level=warn") && line.includes("fly-to-the-moon"))).toBe(true);
  });

  test("a control file claimed by a daemon that stopped before reading it: the next one runs an old stop, refuses an old resume", async () => {
    const sink = await makeSink();
    const { market, running, controlFile } = await setUp(sink);
    writeFileSync(claimedPath(controlFile), "resume\nstop\n"); // left claimed by the previous daemon ...
    const writtenAtS = (market.clock.nowMs() - 3_600_000) / 1000; // ... an hour ago
    utimesSync(claimedPath(controlFile), writtenAtS, writtenAtS);
    await running.daemon.pollControl();
    await market.clock.advance(0);
    expect((await operations(sink, ["control"])).map((operation) => operation.reason)).toEqual([
      "rejected: resume was issued 3600 s ago, expected within 600 s; issue it again if it still applies",
      "stopping",
    ]);
    expect(await running.daemon.stopped).toBe(0);
  });

  test("an unknown command in the queue is rejected with its reason and consumed", async () => {
    const sink = await makeSink();
    const { running } = await setUp(sink);
    // Another host may run a newer gs: the row is data from outside, checked again here.
    const id = await sink.issueControl({ daemonId: DAEMON_ID, command: "refresh_accounts" as ControlCommand, args: {}, issuedBy: "test", tsMs: Date.now() });
    await running.daemon.pollControl();
    await sink.flush();
    const row = await sink.getControl(id);
    expect(row?.result).toStartWith('rejected: control command was "refresh_accounts"');
    expect(running.daemon.state).toBe("RUNNING");
  });

  test("an old queued flatten is not carried out blindly, an old stop is", async () => {
    const sink = await makeSink();
    const { market, running } = await setUp(sink);
    const hourAgoMs = market.clock.nowMs() - 3_600_000;
    const flatten = await sink.issueControl({ daemonId: DAEMON_ID, command: "flatten", args: {}, issuedBy: "test", tsMs: hourAgoMs });
    await running.daemon.pollControl();
    await sink.flush();
    expect((await sink.getControl(flatten))?.result).toBe("rejected: flatten was issued 3600 s ago, expected within 600 s; issue it again if it still applies");
    expect(running.daemon.state).toBe("RUNNING");
    await sink.issueControl({ daemonId: DAEMON_ID, command: "stop", args: {}, issuedBy: "test", tsMs: hourAgoMs });
    await running.daemon.pollControl();
    expect(await running.daemon.stopped).toBe(0);
  });

  test("a command queued while a poll is reading the queue is carried out by the poll asked for after it", async () => {
    const real = await makeSink();
    // The real sink, with the answer of one claim held back after the database has read it.
    let held: { readonly read: () => void; readonly answered: Promise<void> } | null = null;
    const sink = new Proxy(real, {
      get(target, property) {
        if (property === "claimControl") {
          return async (daemonId: string, claimedAtMs: number) => {
            const rows = await target.claimControl(daemonId, claimedAtMs);
            if (held !== null) {
              held.read();
              await held.answered;
            }
            return rows;
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const { running } = await setUp(sink);
    let answer = (): void => undefined;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const read = new Promise<void>((resolve) => (held = { read: resolve, answered }));
    const under = running.daemon.pollControl(); // as the poll timer starts one
    await read;
    held = null;
    const id = await real.issueControl({ daemonId: DAEMON_ID, command: "pause", args: {}, issuedBy: "test", tsMs: Date.now() });
    const asked = running.daemon.pollControl();
    answer();
    await under;
    await asked;
    await real.flush();
    expect((await real.getControl(id))?.result).toBe("paused");
    expect(running.daemon.state).toBe("PAUSED");
  });
});
