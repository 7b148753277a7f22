// The claim of a daemon id, on SQLite and on a real PostgreSQL: of claimants racing on one
// database (two connections, two processes) exactly one wins each id; a stale or released claim
// is taken over, a live one is not, whoever asks (a process with the holder's host and pid too).
import { expect, test } from "bun:test";
import type { DaemonIdClaimant } from "../../src/sink/daemon-claim.ts";
import { finished, spawnSinkProcess } from "../support/sink-process.ts";
import { describeSinks } from "../support/sinks.ts";

const ROUNDS = 50;

function claimant(tag: string, overrides: Partial<DaemonIdClaimant> = {}): DaemonIdClaimant {
  return { daemonId: "gs-1", token: `${tag}-token`, host: `${tag}-host`, pid: 1_000, leaseMs: 60_000, ...overrides };
}

describeSinks("daemon id claim", (makeSink, { makeDatabase }) => {
  test("two connections racing: exactly one wins each round", async () => {
    const target = await makeDatabase();
    const [first, second] = [target.open(), target.open()];
    await first.migrate();
    await second.migrate();
    for (let round = 0; round < ROUNDS; round++) {
      const daemonId = `race-${round}`;
      const claims = await Promise.all([first.claimDaemonId(claimant("a", { daemonId })), second.claimDaemonId(claimant("b", { daemonId }))]);
      expect(claims.filter((claim) => claim.type === "won")).toHaveLength(1);
    }
  });

  test("two processes racing: exactly one wins each round", async () => {
    const target = await makeDatabase();
    await target.open().migrate();
    const startAtMs = Date.now() + 1_500; // both processes are up by then
    const jobs = ["p1", "p2"].map((tag) =>
      spawnSinkProcess({ kind: target.kind, location: target.location, spoolPath: target.spoolPath(`${tag}.jsonl`), mode: "claim", count: ROUNDS, tag, startAtMs }),
    );
    const won = (await Promise.all(jobs.map(finished))).map((line) => JSON.parse(line).won as string[]);
    expect([...(won[0] ?? []), ...(won[1] ?? [])].sort()).toEqual(Array.from({ length: ROUNDS }, (_, round) => `race-${round}`).sort());
  }, 60_000);

  test("a live claim holds: the other claimant learns who holds it and since when", async () => {
    const sink = await makeSink();
    expect(await sink.claimDaemonId(claimant("a"))).toEqual({ type: "won" });
    const lost = await sink.claimDaemonId(claimant("b"));
    if (lost.type !== "held") throw new Error("the second claimant won a live claim");
    expect(lost.holder).toMatchObject({ host: "a-host", pid: 1_000, leaseMs: 60_000 });
    expect(lost.holder.renewedAgoMs).toBeGreaterThanOrEqual(0);
    expect(lost.holder.renewedAgoMs).toBeLessThan(10_000);
    // The holder renews it; another daemon id is free.
    expect(await sink.claimDaemonId(claimant("a"))).toEqual({ type: "won" });
    expect(await sink.claimDaemonId(claimant("b", { daemonId: "gs-2" }))).toEqual({ type: "won" });
  });

  test("a claim not renewed within its lease is taken over, and its old holder's renewal then fails", async () => {
    const sink = await makeSink();
    expect(await sink.claimDaemonId(claimant("a", { leaseMs: 200 }))).toEqual({ type: "won" });
    expect((await sink.claimDaemonId(claimant("b"))).type).toBe("held");
    await Bun.sleep(400);
    expect(await sink.claimDaemonId(claimant("b"))).toEqual({ type: "won" });
    expect(await sink.claimDaemonId(claimant("a", { leaseMs: 200 }))).toMatchObject({ type: "held", holder: { host: "b-host" } });
  });

  test("a released claim is taken over at once; only its holder can release it", async () => {
    const sink = await makeSink();
    expect(await sink.claimDaemonId(claimant("a"))).toEqual({ type: "won" });
    await sink.releaseDaemonId("gs-1", "b-token");
    expect((await sink.claimDaemonId(claimant("b"))).type).toBe("held");
    await sink.releaseDaemonId("gs-1", "a-token");
    expect(await sink.claimDaemonId(claimant("b"))).toEqual({ type: "won" });
  });

  test("a live claim is renewed only by its own token: a claimant with the same host and pid (another container's pid 1, or a restart) waits for its lease", async () => {
    const sink = await makeSink();
    expect(await sink.claimDaemonId(claimant("a", { leaseMs: 300 }))).toEqual({ type: "won" });
    const sameHostAndPid = claimant("a", { token: "a-second-process", leaseMs: 300 });
    expect(await sink.claimDaemonId(sameHostAndPid)).toMatchObject({ type: "held", holder: { host: "a-host", pid: 1_000 } });
    // The holder, alive, keeps renewing it.
    expect(await sink.claimDaemonId(claimant("a", { leaseMs: 300 }))).toEqual({ type: "won" });
    // Gone (no renewal for a lease), it is taken over like anyone's; the earlier run's renewal then fails.
    await Bun.sleep(500);
    expect(await sink.claimDaemonId(sameHostAndPid)).toEqual({ type: "won" });
    expect((await sink.claimDaemonId(claimant("a", { leaseMs: 300 }))).type).toBe("held");
  });
});
