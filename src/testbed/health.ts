// Health checks for the test bed's components: an HTTP(S) GET that must answer 200, and
// a wait that gives up early when the component's process has died.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ComponentFailedError } from './errors.ts';
import { isAlive, logTail, type StartedProcess } from './processes.ts';

export interface TlsClient {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** For components with self-signed serving certificates (controller-manager, scheduler). */
  readonly insecure?: boolean;
}

export function get(url: string, tls: TlsClient = {}, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = { timeout: timeoutMs };
    if (url.startsWith('https:')) {
      if (tls.ca) options.ca = readFileSync(tls.ca);
      if (tls.cert) options.cert = readFileSync(tls.cert);
      if (tls.key) options.key = readFileSync(tls.key);
      options.rejectUnauthorized = !tls.insecure;
    }
    const request = (url.startsWith('https:') ? https : http).get(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

export async function answers200(url: string, tls: TlsClient = {}): Promise<boolean> {
  try {
    return (await get(url, tls)).status === 200;
  } catch {
    return false;
  }
}

/** Polls `check` until it holds; fails with the component's log tail when it exits or times out. */
export async function waitUntil({ component, process, check, timeoutMs }: { component: string; process?: StartedProcess; check: () => Promise<boolean>; timeoutMs: number }): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (process && !isAlive(process.pid)) throw new ComponentFailedError({ component, reason: 'exited', log: process.log, logTail: logTail(process.log) });
    if (Date.now() > deadline) {
      throw new ComponentFailedError({ component, reason: `was not ready within ${timeoutMs / 1000} s`, log: process?.log ?? '', logTail: process ? logTail(process.log) : '' });
    }
    await sleep(100);
  }
}
