// One gs process sharing a spool path with others, for the spool-lock tests: it opens the
// spool, and meets the other parties through marker files in a rendezvous directory.
//
//   bun test/support/spool-lock-party.ts <role> <spool path> <rendezvous dir>
//
// Roles: "daemon" opens, marks "daemon-open", waits for "other-open", spools three rows,
// marks "daemon-appended", waits for "other-closed" and prints what its spool still holds.
// "other" (gs serve or a CLI with nothing to spool) opens, marks "other-open", waits for
// "daemon-appended", closes and marks "other-closed". "holder" opens, marks "holder-open" and
// waits until "holder-exit". Each prints {"role","pid","claimed"} first.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Spool } from "../../src/sink/spool.ts";
import { operationRow } from "./sink-rows.ts";

const [role, path, directory] = process.argv.slice(2) as [string, string, string];
const waitFor = async (name: string): Promise<void> => {
  while (!existsSync(join(directory, name))) await Bun.sleep(10);
};
const mark = (name: string): void => writeFileSync(join(directory, name), "");

const spool = new Spool(path);
console.log(JSON.stringify({ role, pid: process.pid, claimed: spool.path }));
switch (role) {
  case "daemon":
    mark("daemon-open");
    await waitFor("other-open");
    spool.append([1, 2, 3].map((seq) => ({ seq, write: { type: "operation" as const, row: operationRow(seq) } })));
    mark("daemon-appended");
    await waitFor("other-closed");
    console.log(JSON.stringify({ role, fileExists: existsSync(spool.path), rows: spool.rows, readBack: spool.read().writes.length }));
    spool.close();
    break;
  case "other":
    mark("other-open");
    await waitFor("daemon-appended");
    spool.close();
    mark("other-closed");
    break;
  case "holder":
    mark("holder-open");
    await waitFor("holder-exit");
    spool.close();
    break;
  default:
    throw new Error(`role was ${role}, expected daemon, other or holder`);
}
