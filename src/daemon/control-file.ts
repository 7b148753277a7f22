// The control file: `echo stop >> var/gs.control`. Each read claims the file by renaming it
// first (atomic on one filesystem), so a command is consumed exactly once; whatever is written
// after the rename lands in a new file. A writer may have opened the file just before the
// rename and write just after it (the shell opens, then echo writes): its bytes land in the
// claimed file. So a claimed file that does not end in a newline (an empty one included) is
// kept and read again on the next poll, and only then consumed, whatever it holds.
import { readFileSync, renameSync, unlinkSync } from "node:fs";

/** Lines of the control file, or [] when there is none (or it may still be being written). */
export function takeControlFile(path: string, claimSuffix: string): string[] {
  const claimed = `${path}.${claimSuffix}.claimed`;
  const lines = takeClaimed(claimed) ?? [];
  try {
    renameSync(path, claimed);
  } catch (error) {
    if (isMissingFile(error)) return lines;
    throw error;
  }
  const text = readFileSync(claimed, "utf8");
  if (!text.endsWith("\n")) return lines; // maybe half written: the next poll takes it
  unlinkSync(claimed);
  return [...lines, ...text.split(/\r?\n/)];
}

/** The lines of a file the last poll claimed but left, consumed now; null when there is none. */
function takeClaimed(claimed: string): string[] | null {
  let text: string;
  try {
    text = readFileSync(claimed, "utf8");
  } catch (error) {
    if (isMissingFile(error)) return null;
    throw error;
  }
  unlinkSync(claimed);
  return text.split(/\r?\n/);
}

function isMissingFile(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "ENOENT";
}
