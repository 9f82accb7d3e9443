import { randomUUID } from 'node:crypto';
import type { Logger } from '@emporia/platform';
import {
  SendFailure,
  type MessageProvider,
  type SandboxInbox,
  type SandboxMessage,
} from '../application/ports';
import { signReceipt, type Receipt } from '../application/signing';

/** The sandbox SMS inbox's bounds: messages kept per number, numbers kept. */
export const INBOX_PER_NUMBER = 100;
export const INBOX_NUMBERS = 10_000;

/** Where the sandbox hands its signed receipts: the gateway's receipt route, or the service itself. */
export type ReceiptSink = (receipt: Receipt, signature: string) => Promise<void>;

/**
 * A sandbox SMS or push provider (NOTIFICATION_SANDBOX_ENABLED): it takes the message, answers a
 * provider message id, and `receiptDelayMs` later hands a receipt signed with the sandbox secret
 * to the sink, as a real provider's callback would. Deterministic failures, for tests:
 * - SMS to a number ending in 0000: accepted, then an UNDELIVERED receipt (error code
 *   SANDBOX_UNREACHABLE);
 * - push to a token starting with `fail-`: refused at once (a permanent error: the token is
 *   invalid, as APNs' BadDeviceToken);
 * - anything else: a DELIVERED receipt.
 *
 * The SMS sandbox also keeps what it took in a bounded inbox (the last INBOX_PER_NUMBER messages
 * of the INBOX_NUMBERS numbers written to most recently), in memory only: ListSandboxMessages
 * reads it, as a phone would show its messages (tests and local development read one-time codes
 * there, the way Mailpit shows mail). Each replica has its own.
 */
export class SandboxProvider implements MessageProvider, SandboxInbox {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Number → its messages, oldest first; the Map's order is the numbers' last write. */
  private readonly inbox = new Map<string, SandboxMessage[]>();

  constructor(
    readonly name: 'sandbox-sms' | 'sandbox-push',
    private readonly opts: {
      secret: string;
      receiptDelayMs: number;
      sink: ReceiptSink;
      logger: Logger;
      now: () => Date;
    },
  ) {}

  send(m: {
    deliveryId: string;
    to: string;
    body?: string;
  }): Promise<{ providerMessageId: string }> {
    if (this.name === 'sandbox-push' && m.to.startsWith('fail-'))
      return Promise.reject(new SendFailure('sandbox push: device token refused', true));
    const providerMessageId = `${this.name === 'sandbox-sms' ? 'sms' : 'push'}-${randomUUID()}`;
    if (this.name === 'sandbox-sms')
      this.keep({ to: m.to, body: m.body ?? '', sentAt: this.opts.now(), providerMessageId });
    const undelivered = this.name === 'sandbox-sms' && /0000$/.test(m.to);
    const receipt: Receipt = {
      provider: this.name,
      providerMessageId,
      status: undelivered ? 'UNDELIVERED' : 'DELIVERED',
      occurredAt: '',
      errorCode: undelivered ? 'SANDBOX_UNREACHABLE' : '',
    };
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const r = { ...receipt, occurredAt: this.opts.now().toISOString() };
      const p = this.opts
        .sink(r, signReceipt(this.opts.secret, r))
        .catch((err: unknown) =>
          this.opts.logger.warn({ err, providerMessageId }, 'sandbox receipt not accepted'),
        )
        .finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }, this.opts.receiptDelayMs);
    this.timers.add(timer);
    return Promise.resolve({ providerMessageId });
  }

  private keep(message: SandboxMessage): void {
    const kept = this.inbox.get(message.to) ?? [];
    this.inbox.delete(message.to);
    this.inbox.set(message.to, [...kept, message].slice(-INBOX_PER_NUMBER));
    if (this.inbox.size > INBOX_NUMBERS) this.inbox.delete(this.inbox.keys().next().value!);
  }

  /** The messages the sandbox took for `to`, newest first, at most `limit`. */
  messages(to: string, limit: number): SandboxMessage[] {
    return [...(this.inbox.get(to) ?? [])].reverse().slice(0, limit);
  }

  /** Shutdown: receipts not yet due are dropped (the sandbox forgets them), sent ones finish. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }
}

/**
 * Posts a receipt to the gateway's route, as a provider's callback does. `url` is the route
 * without the provider (`http://gateway:8080/v1/notifications/receipts`, the provider's name is
 * appended) or holds a `{provider}` placeholder.
 */
export function receiptTarget(url: string, provider: string): string {
  const p = encodeURIComponent(provider);
  return url.includes('{provider}')
    ? url.replace('{provider}', p)
    : `${url.replace(/\/+$/, '')}/${p}`;
}

export function httpReceiptSink(url: string): ReceiptSink {
  return async (receipt, signature) => {
    const target = receiptTarget(url, receipt.provider);
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signature },
      body: JSON.stringify({
        providerMessageId: receipt.providerMessageId,
        status: receipt.status,
        occurredAt: receipt.occurredAt,
        errorCode: receipt.errorCode,
      }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`receipt POST ${target}: ${res.status}`);
  };
}
