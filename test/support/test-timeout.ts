// Preloaded by bunfig.toml for every `bun test` run. Bun 1.4.5 ignores `[test] timeout` in
// bunfig.toml (tests and hooks keep the 5 s default), and integration suites start real
// servers (PostgreSQL, fake TWS, Chromium) on a shared 2-core machine, so the default is
// raised here, where it applies to tests and to beforeAll/afterAll hooks alike.
import { setDefaultTimeout } from "bun:test";

export const DEFAULT_TEST_TIMEOUT_MS = 30_000;

setDefaultTimeout(DEFAULT_TEST_TIMEOUT_MS);
