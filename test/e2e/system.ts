/**
 * system: the e2e tests need real nginx and Chromium from the system's
 * packages (scripts/install-system-deps.sh). Without them the suites are
 * skipped with a line that says so, unless REQUIRE_E2E=1 makes that a failure
 * (CI sets it so a missing install step cannot pass unnoticed).
 */
import { accessSync, constants } from 'node:fs';
import { describe, it } from 'vitest';
import { NGINX_BINARY } from '../../scripts/nginx-process.ts';
import { CHROMIUM_BINARY } from './browser.ts';

/** missingBinaries lists those of `binaries` that are not executable files. */
export function missingBinaries(binaries: readonly string[] = [NGINX_BINARY, CHROMIUM_BINARY]): string[] {
  return binaries.filter((binary) => {
    try {
      accessSync(binary, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * describeE2E is `describe` for suites that need `binaries`: skipped with a
 * warning when one is missing, or failing when REQUIRE_E2E=1.
 */
export function describeE2E(name: string, body: () => void, binaries?: readonly string[]): void {
  const missing = missingBinaries(binaries);
  describeRequiring(name, missing.length === 0 ? undefined : `${missing.join(' and ')} not found — run scripts/install-system-deps.sh`, body);
}

/**
 * describeRequiring is `describe` for a suite that needs a real part the
 * machine may lack: `missing` says what is missing and how to get it. Such a
 * suite is skipped with that warning, or fails when REQUIRE_E2E=1.
 */
export function describeRequiring(name: string, missing: string | undefined, body: () => void): void {
  if (missing === undefined) {
    describe(name, body);
    return;
  }
  if (process.env.REQUIRE_E2E === '1') {
    describe(name, () => {
      it('has the real parts it needs (REQUIRE_E2E=1)', () => {
        throw new Error(`required (REQUIRE_E2E=1) but ${missing}`);
      });
    });
    return;
  }
  console.warn(`skipped: ${name}: ${missing}`);
  describe.skip(name, body);
}
