/**
 * A mistake the user can fix (bad config, bad flag, bad input file). The CLI prints the
 * message alone, without a stack, and exits with code 2. Messages say what was found and
 * what was expected ("was X, expected Y").
 */
export class UserError extends Error {
  readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}
