// Parsing of operator commands (control file lines). Validated once here; everything
// behind this point works with the closed ControlCommand set.
import type { ControlCommand } from "../sink/records.ts";

export const CONTROL_COMMANDS: readonly ControlCommand[] = ["stop", "pause", "resume", "flatten", "retry_broker", "accept_position"];

export type ParsedControlLine =
  | { readonly type: "command"; readonly command: ControlCommand }
  | { readonly type: "invalid"; readonly line: string; readonly message: string }
  | { readonly type: "blank" };

/** One line: a command name, case-insensitive; blank lines and `#` comments are skipped. */
export function parseControlLine(raw: string): ParsedControlLine {
  const line = raw.trim();
  if (line === "" || line.startsWith("#")) return { type: "blank" };
  const word = line.toLowerCase();
  const command = CONTROL_COMMANDS.find((candidate) => candidate === word);
  if (command) return { type: "command", command };
  const shown = line.length > 80 ? `${line.slice(0, 80)}...` : line;
  return {
    type: "invalid",
    line: shown,
    message: `control command was ${JSON.stringify(shown)}, expected one of ${CONTROL_COMMANDS.join(", ")}`,
  };
}
