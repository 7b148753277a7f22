// Secrets are never printed. A database URL keeps its host and user visible (they are
// what one checks) and hides only the password; anything else is hidden whole.
const HIDDEN = "****";

export function maskSecret(value: string): string {
  if (value === "") return "";
  try {
    const url = new URL(value);
    if (url.protocol.startsWith("postgres")) {
      if (url.password !== "") url.password = HIDDEN;
      return url.toString();
    }
  } catch {
    // not a URL: hide it whole
  }
  return HIDDEN;
}
