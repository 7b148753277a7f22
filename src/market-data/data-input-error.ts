// The one error market-data raises for bad user input (file, spec, range). It is a
// UserError, so the CLI prints it without a stack and exits with code 2.
import { UserError } from "../config/user-error.ts";

export class DataInputError extends UserError {
  constructor(
    /** One line: what was wrong and what was expected. */
    readonly headline: string,
    /** Further lines (e.g. the offending rows), already formatted for a terminal. */
    readonly details: readonly string[] = [],
  ) {
    super([headline, ...details.map((line) => `  ${line}`)].join("\n"));
    this.name = "DataInputError";
  }
}
