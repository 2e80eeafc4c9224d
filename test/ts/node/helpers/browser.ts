import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`), or the binary named by `VAI_CHROMIUM`. */
export const CHROMIUM = process.env.VAI_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Starts headless Chromium through playwright-core (which downloads no browser). A missing browser is an error
 * that says how to install it, never a silent skip: the dashboard's tests and benchmark need it.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing: ${CHROMIUM} does not exist. The dashboard's browser tests drive Debian's chromium: ` +
        'install it with `apt-get update && apt-get install -y chromium` (.ci/run does so as root), or set VAI_CHROMIUM to a Chromium binary.',
    );
  }
  // --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
