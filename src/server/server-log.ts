// Log lines of `gs serve`. Every line passes through redaction first: the token and the
// database password never reach a log, whatever message (or error text) carries them.
export type ServerLogLevel = "info" | "warn" | "error";

export interface ServerLog {
  log(level: ServerLogLevel, message: string): void;
}

const REDACTED = "****";
/** user:password@ in any URL-like text. */
const URL_PASSWORD = /(\/\/[^/:@\s]+:)[^@\s/]+@/g;

/** Replaces each secret (and any URL password) in text. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let clean = text.replace(URL_PASSWORD, `$1${REDACTED}@`);
  for (const secret of secrets) if (secret.length >= 4) clean = clean.replaceAll(secret, REDACTED);
  return clean;
}

const LEVEL_ORDER: Readonly<Record<ServerLogLevel | "debug", number>> = { debug: 0, info: 1, warn: 2, error: 3 };

export function consoleServerLog(
  secrets: readonly string[],
  format: "text" | "json",
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  minLevel: ServerLogLevel | "debug" = "info",
): ServerLog {
  return {
    log(level, message) {
      if (LEVEL_ORDER[level] < LEVEL_ORDER[minLevel]) return;
      const clean = redactSecrets(message, secrets);
      write(format === "json" ? JSON.stringify({ ts: new Date().toISOString(), level, component: "server", message: clean }) : `[Server] ${level === "info" ? "" : `level=${level} `}${clean}`);
    },
  };
}

/** Collects lines in memory (tests). */
export function memoryServerLog(lines: string[], secrets: readonly string[] = []): ServerLog {
  return consoleServerLog(secrets, "text", (line) => lines.push(line));
}
