// The one error market-data raises for bad user input (file, spec, range). The CLI turns
// it into a one-paragraph message and exit code 2, never a stack trace.

export class DataInputError extends Error {
  constructor(
    message: string,
    /** Further lines (e.g. the offending rows), already formatted for a terminal. */
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = "DataInputError";
  }

  /** Message plus details, one per line. */
  describe(): string {
    return [this.message, ...this.details.map((line) => `  ${line}`)].join("\n");
  }
}
