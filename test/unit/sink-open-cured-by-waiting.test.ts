// Which PostgreSQL answers at boot are "not now" (the daemon and the server wait, as for a
// database that is down) and which are refusals that stay (exit 2, systemd leaves the unit
// down). A wrong "refusal" takes gs down through a failover or a disk hiccup for good.
import { expect, test } from "bun:test";
import { curedByWaiting } from "../../src/sink/open-sink.ts";

/** What the driver throws for a server's ErrorResponse: a severity and a SQLSTATE. */
const answer = (code: string) => Object.assign(new Error(`server said ${code}`), { severity: "ERROR", code });

test.each([
  ["25006", "read-only transaction: a standby, mid-failover", true],
  ["58000", "system error", true],
  ["58030", "I/O error", true],
  ["58P01", "a file the server cannot reach", true],
  ["XX000", "internal error", true],
  ["57P03", "the server is starting up", true],
  ["53100", "disk full", true],
  ["55P03", "another migrator holds the lock", true],
  ["28P01", "wrong password", false],
  ["3D000", "no such database", false],
  ["42501", "no right to create tables", false],
  ["42P07", "another application's table", false],
  ["XX001", "data corrupted: waiting does not mend it", false],
] as const)("%s (%s): waited out %p", (code, _why, waited) => {
  expect(curedByWaiting(answer(code))).toBe(waited);
});

test("no server answer at all (the driver's own error) is waited out", () => {
  expect(curedByWaiting(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe(true);
});
