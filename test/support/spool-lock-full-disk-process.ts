// Takes a spool's lock twice in a row, in a process whose files may not grow (a full disk),
// and prints what each attempt got: the lock holds without the pid note, and a release leaves
// no descriptor behind that would keep holding it.
//
//   bun test/support/spool-lock-full-disk-process.ts <spool path>
import { SpoolLock } from "../../src/sink/spool-lock.ts";

const spoolPath = process.argv[2] ?? "";
const attempt = (): string => {
  try {
    const lock = SpoolLock.tryTake(spoolPath);
    if (lock === null) return "held";
    lock.release();
    return "taken";
  } catch (error) {
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  }
};
console.log(JSON.stringify([attempt(), attempt()]));
