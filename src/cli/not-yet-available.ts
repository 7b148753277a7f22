import { UserError } from "../config/user-error.ts";

/** For subcommands whose implementation has not landed yet: a clear error, exit code 2. */
export function notYetAvailable(command: string): never {
  throw new UserError(`${command} is not yet available in this build of gs.`);
}
