// Who owns a spool file: whoever holds an exclusive flock(2) on `<spool>.lock`. The kernel
// releases it when its process dies, whatever the pid namespace (two containers sharing the
// spool volume, each gs their pid 1) and however pids are reused after a restart or a
// reboot: a live owner's lock is never free and a dead one's always is, which no pid or start
// time written in a file can tell for sure. The file also names the owner's pid, for people.
import { dlopen, FFIType, read } from "bun:ffi";
import { closeSync, constants, fstatSync, ftruncateSync, openSync, statSync, unlinkSync, writeSync } from "node:fs";

const LOCK_EX = 2;
const LOCK_NB = 4;

/** The C library per platform: where flock and errno live, and errno's "already locked". */
const LIBC = {
  linux: { library: "libc.so.6", errnoSymbol: "__errno_location", wouldBlock: 11 },
  darwin: { library: "libSystem.B.dylib", errnoSymbol: "__error", wouldBlock: 35 },
} as const;

export class SpoolLock {
  private released = false;

  private constructor(
    /** The lock file, `<spool>.lock`. */
    readonly path: string,
    private readonly fd: number,
  ) {}

  /**
   * Takes the lock of `spoolPath`, or answers null when a live process holds it. Throws when
   * the file system cannot lock at all (the error says so): guessing "free" could take a live
   * owner's spool, guessing "held" would strand a dead one's.
   */
  static tryTake(spoolPath: string): SpoolLock | null {
    const lockPath = `${spoolPath}.lock`;
    // A holder that releases unlinks the file: a lock won on an unlinked file is retried on the new one.
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const fd = openSync(lockPath, constants.O_RDWR | constants.O_CREAT, 0o644);
      if (!lockExclusively(fd, lockPath)) {
        closeSync(fd);
        return null;
      }
      if (isStillLinked(fd, lockPath)) {
        writeOwnerPid(fd);
        return new SpoolLock(lockPath, fd);
      }
      closeSync(fd);
    }
    throw new Error(`${lockPath} was replaced 100 times while being locked: expected one gs process at a time to release it`);
  }

  /** Deletes the lock file, then lets go of it: a waiter that then wins it sees it unlinked and retries. */
  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      unlinkSync(this.path);
    } finally {
      closeSync(this.fd);
    }
  }
}

/**
 * The holder's pid in the file, for people: the flock is the lock. A full disk that refuses
 * these bytes must not fail the spool (nor leave the descriptor, and its lock, behind).
 */
function writeOwnerPid(fd: number): void {
  try {
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid}\n`, 0);
  } catch {
    // The lock holds without its note.
  }
}

function isStillLinked(fd: number, lockPath: string): boolean {
  try {
    const held = fstatSync(fd);
    const named = statSync(lockPath);
    return held.ino === named.ino && held.dev === named.dev;
  } catch {
    return false; // unlinked
  }
}

type Libc = ReturnType<typeof openLibc>;
let libc: Libc | null = null;

function openLibc() {
  const platform = LIBC[process.platform as keyof typeof LIBC];
  if (platform === undefined) throw new Error(`spool locks need flock(2), which gs does not know how to call on ${process.platform}: expected Linux or macOS`);
  const library = dlopen(platform.library, {
    flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    [platform.errnoSymbol]: { args: [], returns: FFIType.ptr },
  });
  const errnoLocation = library.symbols[platform.errnoSymbol] as () => number | null;
  return {
    flock: library.symbols.flock as (fd: number, operation: number) => number,
    errno: (): number => read.i32(errnoLocation() ?? 0, 0),
    wouldBlock: platform.wouldBlock,
  };
}

/** True when we now hold the lock, false when another open file (any process) does. */
function lockExclusively(fd: number, lockPath: string): boolean {
  libc ??= openLibc();
  if (libc.flock(fd, LOCK_EX | LOCK_NB) === 0) return true;
  const errno = libc.errno();
  if (errno === libc.wouldBlock) return false;
  closeSync(fd);
  throw new Error(`cannot lock ${lockPath}: flock failed with errno ${errno} (ENOLCK is a file system without locks, e.g. NFS without lockd): expected a local file system for status.spool_path`);
}
