// A bound on how long we wait for the database. A hung server (stopped backend, half-open
// TCP) never answers and never errors: without a deadline a batch, a flush or a status read
// would wait forever. The work itself is not cancelled (it may still finish later: replays
// are idempotent); we only stop waiting for it.

export class DeadlineExceededError extends Error {
  override readonly name = "DeadlineExceededError";
}

export function withDeadline<T>(work: Promise<T>, deadlineMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(`${what} did not finish within ${deadlineMs} ms (database hung or unreachable)`)), deadlineMs);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
