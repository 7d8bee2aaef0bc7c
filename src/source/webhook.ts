// GitHub push webhooks: the near-instant trigger. The signature (X-Hub-Signature-256, an
// HMAC-SHA256 of the raw body with the shared secret) is checked in constant time before
// anything in the body is believed; only pushes to the watched branch start a pass.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

export interface WebhookRequest {
  /** Header names in lower case, as node's http gives them. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The body exactly as received: the signature covers these bytes. */
  readonly body: Uint8Array;
}

export interface PushEvent {
  /** `refs/heads/<branch>`. */
  readonly ref: string;
  readonly before: string;
  /** The new branch head. */
  readonly after: string;
  readonly forced: boolean;
  readonly deleted: boolean;
  readonly repository?: string;
  readonly deliveryId?: string;
}

export type WebhookVerdict =
  | { readonly kind: 'push'; readonly push: PushEvent }
  | { readonly kind: 'ping'; readonly hookId?: number }
  | { readonly kind: 'ignored'; readonly reason: 'other-event' | 'other-branch'; readonly detail: string }
  | { readonly kind: 'rejected'; readonly status: 400 | 401; readonly reason: 'missing-signature' | 'bad-signature' | 'bad-payload'; readonly detail: string };

export function signBody({ secret, body }: { readonly secret: string; readonly body: Uint8Array | string }): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function verifySignature({ secret, body, signature }: { readonly secret: string; readonly body: Uint8Array; readonly signature: string | undefined }): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signBody({ secret, body }));
  const given = Buffer.from(signature.trim());
  // timingSafeEqual needs equal lengths; a length mismatch reveals nothing about the secret.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Judges one delivery: a pure function of the secret, the watched branch, the headers and the raw body. */
export function verifyPushWebhook({ secret, branch, request }: { readonly secret: string; readonly branch: string; readonly request: WebhookRequest }): WebhookVerdict {
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : (value as string | undefined);
  };
  const signature = header('x-hub-signature-256');
  if (!signature) return { kind: 'rejected', status: 401, reason: 'missing-signature', detail: 'no X-Hub-Signature-256 header' };
  if (!verifySignature({ secret, body: request.body, signature })) {
    return { kind: 'rejected', status: 401, reason: 'bad-signature', detail: 'X-Hub-Signature-256 does not match the body and the webhook secret' };
  }
  const event = header('x-github-event');
  const deliveryId = header('x-github-delivery');
  let payload: Record<string, unknown>;
  try {
    payload = parsePayload(request.body, header('content-type'));
  } catch (error) {
    return { kind: 'rejected', status: 400, reason: 'bad-payload', detail: `the body is not a JSON webhook payload: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (event === 'ping') {
    return { kind: 'ping', ...(typeof payload.hook_id === 'number' ? { hookId: payload.hook_id } : {}) };
  }
  if (event !== 'push') return { kind: 'ignored', reason: 'other-event', detail: `event ${event ?? '(none)'} is not a push` };
  const { ref, before, after } = payload;
  if (typeof ref !== 'string' || typeof after !== 'string' || typeof before !== 'string') {
    return { kind: 'rejected', status: 400, reason: 'bad-payload', detail: 'a push payload needs ref, before and after' };
  }
  if (ref !== `refs/heads/${branch}`) return { kind: 'ignored', reason: 'other-branch', detail: `push to ${ref}, not refs/heads/${branch}` };
  const repository = (payload.repository as { full_name?: unknown } | undefined)?.full_name;
  return {
    kind: 'push',
    push: {
      ref, before, after,
      forced: payload.forced === true,
      deleted: payload.deleted === true,
      ...(typeof repository === 'string' ? { repository } : {}),
      ...(deliveryId ? { deliveryId } : {}),
    },
  };
}

function deliveryOf(req: http.IncomingMessage, body: Uint8Array): WebhookDelivery {
  const headers: Record<string, string> = {};
  for (const name of DELIVERY_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const forwardedBy = req.headers[FORWARDED_HEADER];
  return { body, headers, ...(typeof forwardedBy === 'string' ? { forwardedBy } : {}) };
}

/** GitHub sends JSON, or a form with the JSON in `payload` when the hook's content type is form. */
function parsePayload(body: Uint8Array, contentType: string | undefined): Record<string, unknown> {
  let text = Buffer.from(body).toString('utf8');
  if (contentType?.startsWith('application/x-www-form-urlencoded')) text = new URLSearchParams(text).get('payload') ?? '';
  const parsed: unknown = JSON.parse(text);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
  return parsed as Record<string, unknown>;
}

/** The GitHub headers a delivery is verified and read by: what forwarding it keeps. */
const DELIVERY_HEADERS = ['content-type', 'x-github-event', 'x-github-delivery', 'x-hub-signature-256'] as const;
/** Set on a delivery one replica forwards to another: it is never forwarded again. */
export const FORWARDED_HEADER = 'x-essg-forwarded-by';

/** A verified delivery as received: the body its signature is over, and the headers it came with. */
export interface WebhookDelivery {
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  /** The replica that forwarded it, when another replica did. */
  readonly forwardedBy?: string;
}

export interface WebhookHandlerOptions {
  readonly secret: string;
  readonly branch: string;
  /**
   * Called for each verified push to the branch, with the delivery as received (a standby
   * replica forwards it to the leader); not awaited: GitHub expects an answer within 10 s.
   */
  readonly onPush: (push: PushEvent, delivery: WebhookDelivery) => unknown;
  /** Told about each delivery and its verdict, for logs and metrics. */
  readonly onVerdict?: (verdict: WebhookVerdict | OversizeVerdict) => void;
  /**
   * Bodies larger than this are answered 413 unread. GitHub allows 25 MB, far more than a
   * push to a fleet repo needs: only ref, before and after are read, and a refused delivery
   * costs one poll interval, never a change. 1 MiB holds hundreds of commits' file lists.
   * @default DEFAULT_WEBHOOK_MAX_BYTES (1 MiB)
   */
  readonly maxBodyBytes?: number;
}

export const DEFAULT_WEBHOOK_MAX_BYTES = 1024 * 1024;

/** A delivery refused for its size, before its signature could be checked. */
export interface OversizeVerdict {
  readonly kind: 'rejected';
  readonly status: 413;
  readonly reason: 'too-large';
  readonly detail: string;
}

export type WebhookHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/** An HTTP handler for POST /webhook: 202 for a push that will trigger a pass, 200 for ping and ignored events, 401 for a bad signature, 413 for a body over the limit. */
export function createWebhookHandler({ secret, branch, onPush, onVerdict, maxBodyBytes = DEFAULT_WEBHOOK_MAX_BYTES }: WebhookHandlerOptions): WebhookHandler {
  if (!secret) throw new Error('a webhook secret is required: unsigned pushes would let anyone trigger passes');
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) throw new Error(`the webhook body limit must be a positive number of bytes, not ${maxBodyBytes}`);
  const tooLarge = (res: http.ServerResponse, req: http.IncomingMessage): void => {
    const verdict: OversizeVerdict = { kind: 'rejected', status: 413, reason: 'too-large', detail: `body larger than ${maxBodyBytes} bytes` };
    onVerdict?.(verdict);
    refuseUnread(req, res, 413, { error: verdict.detail });
  };
  return async (req, res) => {
    if (req.method !== 'POST') return reply(res, 405, { error: 'POST only' }, { Allow: 'POST' });
    // A declared length over the limit is refused before a byte of the body is read.
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes) return tooLarge(res, req);
    const body = await readBody(req, maxBodyBytes);
    if (body === 'too-large') return tooLarge(res, req);
    if (body === 'aborted') return;
    const verdict = verifyPushWebhook({ secret, branch, request: { headers: req.headers, body } });
    onVerdict?.(verdict);
    switch (verdict.kind) {
      case 'rejected':
        return reply(res, verdict.status, { error: verdict.detail });
      case 'ping':
        return reply(res, 200, { ok: true, pong: true });
      case 'ignored':
        return reply(res, 200, { ok: true, ignored: verdict.detail });
      case 'push':
        // A failing pass reports itself (status, events); the delivery has done its job.
        void Promise.resolve().then(() => onPush(verdict.push, deliveryOf(req, body))).catch(() => undefined);
        return reply(res, 202, { ok: true, accepted: verdict.push.after });
    }
  };
}

/**
 * The body, counted as it streams: past `max` bytes the chunks read so far are dropped and
 * reading stops ('too-large'), so a chunked body without a length costs at most `max` bytes.
 */
function readBody(req: http.IncomingMessage, max: number): Promise<Uint8Array | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    let chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        chunks = [];
        req.off('data', onData);
        req.pause();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', () => resolve('aborted'));
    req.once('close', () => resolve(req.complete ? Buffer.concat(chunks) : 'aborted'));
  });
}

/**
 * Answers without reading the rest of the body, then drops the connection: reading it would
 * cost what the limit is there to prevent, and the socket cannot be reused mid-body.
 */
function refuseUnread(req: http.IncomingMessage, res: http.ServerResponse, status: number, body: unknown): void {
  res.shouldKeepAlive = false;
  res.once('finish', () => req.destroy());
  reply(res, status, body, { Connection: 'close' });
}

function reply(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(`${JSON.stringify(body)}\n`);
}
