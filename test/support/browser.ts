// Headless Chromium from the Debian `chromium` package, driven by puppeteer-core (which
// downloads no browser): the dashboard's browser tests and its load benchmark share it.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** Where Debian installs it; CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Test artefacts, git-ignored. */
export const SCREENSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../reports/screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y --no-install-recommends chromium (or set CHROMIUM_PATH)`);
  // --no-sandbox: CI and these machines run as root, where Chromium's sandbox refuses to start.
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Signs the page in to the reconciler at `url` with a token, through its sign-in form, and lands on the dashboard. */
export async function signInWithToken(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
  if (!new URL(page.url()).pathname.startsWith('/auth/login')) throw new Error(`the dashboard did not ask to sign in: at ${page.url()}`);
  await page.type('#token', token);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#token-form button[type=submit]')]);
  if (new URL(page.url()).pathname !== '/') throw new Error(`signing in did not reach the dashboard: at ${page.url()}`);
}
