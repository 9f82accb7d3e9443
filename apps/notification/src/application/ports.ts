import type { RequestContext } from '@emporia/platform';
import type { Channel, Locale } from '../domain/channels';
import type { Delivery, DeliveryStatus } from '../domain/delivery';
import type { AccountContact } from '../domain/planner';
import type { Preferences } from '../domain/preferences';
import type { Template, TemplateKey } from '../domain/template';

export type { Clock, IdGenerator } from '@emporia/domain';

export const UNIT_OF_WORK = Symbol('UNIT_OF_WORK');
export const ACCOUNTS = Symbol('ACCOUNTS');
export const EMAIL_SENDER = Symbol('EMAIL_SENDER');
export const SMS_PROVIDER = Symbol('SMS_PROVIDER');
export const PUSH_PROVIDER = Symbol('PUSH_PROVIDER');
export const CLOCK = Symbol('CLOCK');
export const ID_GENERATOR = Symbol('ID_GENERATOR');
export const RANDOM = Symbol('RANDOM');
export const NOTIFICATION_SETTINGS = Symbol('NOTIFICATION_SETTINGS');
export const SANDBOX_INBOX = Symbol('SANDBOX_INBOX');

export interface NotificationSettings {
  maxAttempts: number;
  retryBaseMs: number;
  defaultTimeZone: string;
  operatorEmails: readonly string[];
  /** The gateway's public URL: unsubscribe links. */
  publicBaseUrl: string;
  unsubscribeSecret: string;
  /** HMAC keys of the providers' receipts, by provider name (sandbox-sms, sandbox-push). */
  receiptSecrets: Readonly<Record<string, string>>;
  /** Deliveries claimed per sender pass, and how long a claim keeps others off. */
  sendBatch: number;
  claimLeaseMs: number;
}

export interface PushDevice {
  accountId: string;
  token: string;
  platform: string;
  registeredAt: Date;
}

export interface DeliveryFilter {
  accountId?: string;
  status?: DeliveryStatus;
  channel?: Channel;
  eventId?: string;
}

export interface DeliveryRepository {
  /** Inserts the new ones; a (event_id, channel, recipient) already there is left alone. */
  insertMany(ds: readonly Delivery[]): Promise<number>;
  /** `lock`: FOR UPDATE for the rest of the transaction. */
  get(id: string, lock?: boolean): Promise<Delivery | null>;
  byProviderMessage(provider: string, providerMessageId: string): Promise<Delivery | null>;
  save(d: Delivery): Promise<void>;
  /**
   * Up to `limit` PENDING or HELD deliveries due at `now`, oldest due first, skipping rows another
   * transaction holds (FOR UPDATE SKIP LOCKED); their `next_attempt_at` moves to `leaseUntil`, so
   * a second sender (or this one, should it die mid-send) sees them only after the lease.
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<Delivery[]>;
  /** Newest first, after `afterId` (ids are UUIDv7: time-ordered). */
  list(filter: DeliveryFilter, afterId: string | undefined, limit: number): Promise<Delivery[]>;
}

export interface PreferencesRepository {
  get(accountId: string): Promise<Preferences | null>;
  save(p: Preferences): Promise<void>;
}

export interface PushDeviceRepository {
  list(accountId: string): Promise<PushDevice[]>;
  /** A token belongs to one account: registering it again moves it. */
  upsert(d: PushDevice): Promise<void>;
  remove(accountId: string, token: string): Promise<boolean>;
}

export interface TemplateRepository {
  list(key?: TemplateKey): Promise<Template[]>;
  get(key: TemplateKey, channel: Channel, locale: Locale): Promise<Template | null>;
  save(t: Template, operatorId: string): Promise<void>;
}

export interface NotificationTx {
  deliveries: DeliveryRepository;
  preferences: PreferencesRepository;
  devices: PushDeviceRepository;
  templates: TemplateRepository;
}

export interface UnitOfWork {
  run<T>(ctx: RequestContext, work: (tx: NotificationTx) => Promise<T>): Promise<T>;
  /** `work` once per consumed event: the inbox row commits with it; false when already handled. */
  runForEvent(
    ctx: RequestContext,
    consumer: string,
    event: { eventId: string },
    work: (tx: NotificationTx) => Promise<void>,
  ): Promise<boolean>;
}

/**
 * The user service: an account's e-mail, phone, profile locale and consents. Null when there is
 * no such account; throws when user does not answer (the consumer then retries the event).
 */
export interface AccountDirectory {
  contact(ctx: RequestContext, accountId: string): Promise<AccountContact | null>;
}

/** A channel refused a message. `permanent`: trying again cannot help (SMTP 5xx, bad token). */
export class SendFailure extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'SendFailure';
  }
}

export interface EmailMessage {
  /** `<delivery-id@emporia>`: the same on every attempt, so receivers can tell a repeat. */
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Marketing: List-Unsubscribe + List-Unsubscribe-Post (RFC 8058). */
  unsubscribeUrl: string | null;
}

/** E-mail over SMTP. Throws SendFailure (permanent for a refused recipient) or any error. */
export interface EmailSender {
  send(m: EmailMessage): Promise<void>;
}

/**
 * An SMS or push provider (Aliyun SMS, JPush/APNs in production; the sandbox here): takes the
 * message and answers its own id for it; the delivery receipt comes later, signed.
 */
export interface MessageProvider {
  readonly name: string;
  send(m: { deliveryId: string; to: string; title: string; body: string }): Promise<{
    providerMessageId: string;
  }>;
}

/** A message the sandbox SMS provider took, as the phone would show it. */
export interface SandboxMessage {
  to: string;
  body: string;
  sentAt: Date;
  providerMessageId: string;
}

/**
 * The sandbox SMS provider's inbox (NOTIFICATION_SANDBOX_ENABLED; null otherwise): the messages
 * it took per number, newest first, bounded, in memory.
 */
export interface SandboxInbox {
  messages(to: string, limit: number): SandboxMessage[];
}
