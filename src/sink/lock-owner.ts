// Who holds a spool lock, precisely enough to tell a live owner from a pid that was reused.
// A pid alone is not: after a container restart our own pid (often 1) equals the crashed
// owner's, and after a reboot any process may carry it. So the lock also records the boot
// (Linux boot_id) and the owner's start time (field 22 of /proc/<pid>/stat, clock ticks since
// boot); where /proc is missing (macOS) both are null and the pid alone decides.
import { readFileSync } from "node:fs";

export interface LockOwner {
  readonly pid: number;
  readonly bootId: string | null;
  readonly startTicks: string | null;
}

/** This process, as it writes itself into a lock file. */
export function currentLockOwner(): LockOwner {
  return { pid: process.pid, bootId: readBootId(), startTicks: readStartTicks(process.pid) };
}

/** `<pid> <boot id> <start ticks>`; older files hold the pid alone. */
export function formatLockOwner(owner: LockOwner): string {
  return [owner.pid, owner.bootId ?? "-", owner.startTicks ?? "-"].join(" ");
}

export function parseLockOwner(text: string): LockOwner | null {
  const [pidText, bootId, startTicks] = text.trim().split(/\s+/);
  const pid = Number.parseInt(pidText ?? "", 10);
  if (!Number.isFinite(pid)) return null;
  const known = (value: string | undefined) => (value === undefined || value === "-" ? null : value);
  return { pid, bootId: known(bootId), startTicks: known(startTicks) };
}

/**
 * True when the process that wrote the lock still runs. Never true for our own pid: the
 * caller knows which locks this process holds, so our pid in a lock it does not hold is a
 * previous incarnation's (container restart).
 */
export function isLockOwnerAlive(owner: LockOwner, lockWrittenAtMs: number): boolean {
  if (owner.pid === process.pid) return false;
  if (owner.bootId !== null && owner.bootId !== readBootId()) return false;
  const startTicks = readStartTicks(owner.pid);
  if (owner.startTicks !== null && startTicks !== null) return startTicks === owner.startTicks;
  // A lock of the older pid-only format: a process started after the lock was written
  // cannot have written it.
  const startedAtMs = startTicks === null ? null : startTimeMs(startTicks);
  if (startedAtMs !== null && startedAtMs > lockWrittenAtMs + START_TIME_SLACK_MS) return false;
  return isPidAlive(owner.pid);
}

/** /proc start times have a 10 ms resolution and boot time a 1 s one. */
const START_TIME_SLACK_MS = 2_000;
/** USER_HZ: the unit of /proc/<pid>/stat times on Linux, 100 on every architecture. */
const TICKS_PER_SECOND = 100;

function startTimeMs(startTicks: string): number | null {
  try {
    const bootTime = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1];
    return bootTime === undefined ? null : Number(bootTime) * 1000 + (Number(startTicks) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readBootId(): string | null {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return null;
  }
}

function readStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null; // field 22 overall: state is field 3, i.e. index 0 here
  } catch {
    return null;
  }
}
