// Two containers share the spool volume (for SQLite they must: the spool sits next to the
// database) and gs is pid 1 in each. The spool lock is the kernel's, so the second process
// cannot take the first one's spool while it runs, whatever pids the two see.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { siblingSpoolPath } from "../../src/sink/spool.ts";
import { pidNamespacesAvailable, startSpoolParty } from "../support/spool-lock-parties.ts";

const directory = mkdtempSync(join(tmpdir(), "gs-spool-namespaces-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const available = pidNamespacesAvailable();
if (!available) console.warn("spool lock across pid namespaces: skipped, `unshare --pid` is not allowed here (needs root or user namespaces)");

test.skipIf(!available)("a live owner in another pid namespace keeps its spool and its rows", async () => {
  const path = join(directory, "gs-spool.ndjson");
  const daemon = startSpoolParty("daemon", path, directory, { ownPidNamespace: true });
  await daemon.opened;
  const other = startSpoolParty("other", path, directory, { ownPidNamespace: true });
  const [daemonLines, otherLines] = (await Promise.all([daemon.output, other.output])).map((text) => text.trim().split("\n").map((line) => JSON.parse(line)));
  // Both are pid 1, each in its own namespace.
  expect([daemonLines?.[0]?.pid, otherLines?.[0]?.pid]).toEqual([1, 1]);
  expect(daemonLines?.[0]?.claimed).toBe(path);
  expect(otherLines?.[0]?.claimed).toBe(siblingSpoolPath(path, 1));
  expect(daemonLines?.[1]).toEqual({ role: "daemon", fileExists: true, rows: 3, readBack: 3 });
});
