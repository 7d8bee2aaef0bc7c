// A standby replica's webhook. Only the leader applies, so a push GitHub delivered to a
// standby (the Service picks any replica) is sent on to the leader's HTTP port, at the URL the
// leader wrote into its Lease, body and signature as received: the leader verifies it as it
// does GitHub's own, and passes at once instead of at its next poll. A delivery is forwarded
// once, never again by the replica that receives it.
import { FORWARDED_HEADER, type WebhookDelivery } from '../source/index.ts';

/** How long a forward waits for the leader's answer. */
export const FORWARD_TIMEOUT_MS = 5_000;

export type ForwardOutcome =
  | { readonly kind: 'forwarded'; readonly to: string }
  | { readonly kind: 'not-forwarded'; readonly reason: string };

export async function forwardDelivery({ delivery, leaderUrl, identity, timeoutMs = FORWARD_TIMEOUT_MS }: {
  readonly delivery: WebhookDelivery;
  /** The leader's URL from the Lease; undefined when no other replica holds a live one. */
  readonly leaderUrl: string | undefined;
  /** This replica, named in the forwarded request. */
  readonly identity: string;
  readonly timeoutMs?: number;
}): Promise<ForwardOutcome> {
  if (delivery.forwardedBy !== undefined) return { kind: 'not-forwarded', reason: `it was forwarded here by ${delivery.forwardedBy}; the leader's next poll picks it up` };
  if (!leaderUrl) return { kind: 'not-forwarded', reason: 'no leader has written where it is reached (--advertise-url); the leader\'s next poll picks it up' };
  const to = `${leaderUrl.replace(/\/$/, '')}/webhook`;
  try {
    const response = await fetch(to, {
      method: 'POST',
      headers: { ...delivery.headers, [FORWARDED_HEADER]: identity },
      body: Buffer.from(delivery.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    if (response.status !== 202) return { kind: 'not-forwarded', reason: `the leader at ${to} answered HTTP ${response.status}` };
    return { kind: 'forwarded', to };
  } catch (error) {
    return { kind: 'not-forwarded', reason: `the leader at ${to} did not answer: ${error instanceof Error ? error.message : String(error)}` };
  }
}
