// The control file: `echo stop >> var/gs.control`. A poll claims the file by renaming it to
// `<file>.claimed` (atomic on one filesystem), so each command is consumed exactly once and
// whatever is written after the rename lands in a new file. A writer may have opened the file
// just before the rename and write just after it (the shell opens, then echo writes): its bytes
// land in the claimed file. So the claimed file is read and deleted only at a later poll, when
// any writer that opened the old name has long finished. The claimed name is fixed: one a
// stopped daemon left behind is read by the next start, which judges it by its age.
import { readFileSync, renameSync, statSync, unlinkSync } from "node:fs";

export interface ClaimedCommands {
  readonly lines: readonly string[];
  /**
   * When the file's first line can have been written: its birth time (kept through the rename),
   * else its last write. The lines carry no time of their own, so all are judged as old as the
   * oldest may be: a days-old line followed by a fresh one is not taken for fresh.
   */
  readonly writtenAtMs: number;
}

/** The claimed file's path for a control file. */
export function claimedPath(path: string): string {
  return `${path}.claimed`;
}

/**
 * One poll: the commands claimed at an earlier poll, consumed now; or, when none wait, claims
 * the control file for the next poll (and returns null).
 */
export function takeControlFile(path: string): ClaimedCommands | null {
  const claimed = claimedPath(path);
  const taken = readAndDelete(claimed);
  if (taken !== null) return taken;
  try {
    renameSync(path, claimed);
  } catch (error) {
    if (!isMissingFile(error)) throw error;
  }
  return null;
}

function readAndDelete(claimed: string): ClaimedCommands | null {
  let taken: ClaimedCommands;
  try {
    const stat = statSync(claimed);
    const writtenAtMs = stat.birthtimeMs > 0 ? Math.min(stat.birthtimeMs, stat.mtimeMs) : stat.mtimeMs;
    taken = { lines: readFileSync(claimed, "utf8").split(/\r?\n/), writtenAtMs };
  } catch (error) {
    if (isMissingFile(error)) return null;
    throw error;
  }
  unlinkSync(claimed);
  return taken;
}

function isMissingFile(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "ENOENT";
}
