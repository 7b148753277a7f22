// The control file: `echo stop > var/gs.control`. Each read claims the file by renaming it
// first (atomic on one filesystem), so a command is consumed exactly once even when a
// writer appends while we read; whatever is written after the rename lands in a new file.
import { readFileSync, renameSync, unlinkSync } from "node:fs";

/** Lines of the control file, or [] when there is none. The file is gone afterwards. */
export function takeControlFile(path: string, claimSuffix: string): string[] {
  const claimed = `${path}.${claimSuffix}.claimed`;
  try {
    renameSync(path, claimed);
  } catch (error) {
    if (isMissingFile(error)) return [];
    throw error;
  }
  try {
    return readFileSync(claimed, "utf8").split(/\r?\n/);
  } finally {
    unlinkSync(claimed);
  }
}

function isMissingFile(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "ENOENT";
}
