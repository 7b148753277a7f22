// Whether a request comes from a web page of another site. Browsers send Origin on cross-site
// requests, including the "simple" POSTs (a form, fetch no-cors) that need no preflight: such a
// request is refused before the token check, so it neither acts nor counts as a failed attempt.

/** True when an Origin header is present and does not name the host the request was sent to. */
export function isForeignOrigin(origin: string | null, host: string | null): boolean {
  if (origin === null) return false; // curl, gs ctl, Prometheus: not a browser page
  if (host === null) return true;
  try {
    return new URL(origin).host.toLowerCase() !== host.toLowerCase();
  } catch {
    return true; // "null" (sandboxed frame, file://) or garbage
  }
}
