import { FakeUnitOfWork } from '@emporia/domain/testing';
import type { RequestContext } from '@emporia/platform';
import type {
  AccountDirectory,
  DeliveryFilter,
  DeliveryRepository,
  EmailMessage,
  EmailSender,
  MessageProvider,
  NotificationTx,
  PreferencesRepository,
  PushDevice,
  PushDeviceRepository,
  TemplateRepository,
  UnitOfWork,
} from '../application/ports';
import { SendFailure } from '../application/ports';
import type { Channel, Locale } from '../domain/channels';
import type { Delivery } from '../domain/delivery';
import type { AccountContact } from '../domain/planner';
import type { Preferences } from '../domain/preferences';
import type { Template, TemplateKey } from '../domain/template';
import {
  DEFAULT_TEMPLATES,
  SECURITY_TEMPLATES,
} from '../infrastructure/migrations/default-templates';

/** The tables of the in-memory store (replaced, never mutated, so a rollback can restore them). */
export interface NotificationStore {
  outbox: never[];
  inbox: Set<string>;
  deliveries: Map<string, Delivery>;
  preferences: Map<string, Preferences>;
  devices: Map<string, PushDevice>;
  templates: Map<string, Template>;
}

const tkey = (key: string, channel: string, locale: string) => `${key}|${channel}|${locale}`;

export function newStore(): NotificationStore {
  const templates = new Map<string, Template>();
  for (const [key, channel, locale, subject, body] of [...DEFAULT_TEMPLATES, ...SECURITY_TEMPLATES])
    templates.set(tkey(key, channel, locale), {
      key: key as TemplateKey,
      channel: channel as Channel,
      locale: locale as Locale,
      subject,
      body,
      updatedAt: new Date(0),
    });
  return {
    outbox: [],
    inbox: new Set(),
    deliveries: new Map(),
    preferences: new Map(),
    devices: new Map(),
    templates,
  };
}

class MemDeliveries implements DeliveryRepository {
  constructor(private readonly s: NotificationStore) {}
  async insertMany(ds: readonly Delivery[]): Promise<number> {
    let n = 0;
    for (const d of ds) {
      const clash = [...this.s.deliveries.values()].some(
        (x) => x.eventId === d.eventId && x.channel === d.channel && x.recipient === d.recipient,
      );
      if (clash) continue;
      this.s.deliveries = new Map(this.s.deliveries).set(d.id, d);
      n++;
    }
    return n;
  }
  async get(id: string) {
    return this.s.deliveries.get(id) ?? null;
  }
  async byProviderMessage(provider: string, id: string) {
    return (
      [...this.s.deliveries.values()].find(
        (d) => d.provider === provider && d.providerMessageId === id,
      ) ?? null
    );
  }
  async save(d: Delivery) {
    this.s.deliveries = new Map(this.s.deliveries).set(d.id, d);
  }
  async claimDue(now: Date, leaseUntil: Date, limit: number) {
    const due = [...this.s.deliveries.values()]
      .filter(
        (d) =>
          (d.status === 'PENDING' || d.status === 'HELD') &&
          d.nextAttemptAt !== null &&
          d.nextAttemptAt <= now,
      )
      .sort(
        (a, b) => a.nextAttemptAt!.getTime() - b.nextAttemptAt!.getTime() || (a.id < b.id ? -1 : 1),
      )
      .slice(0, limit);
    for (const d of due) await this.save({ ...d, nextAttemptAt: leaseUntil });
    return due;
  }
  async list(f: DeliveryFilter, afterId: string | undefined, limit: number) {
    return [...this.s.deliveries.values()]
      .filter(
        (d) =>
          (!f.accountId || d.accountId === f.accountId) &&
          (!f.status || d.status === f.status) &&
          (!f.channel || d.channel === f.channel) &&
          (!f.eventId || d.eventId === f.eventId) &&
          (!afterId || d.id < afterId),
      )
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .slice(0, limit);
  }
}

class MemPreferences implements PreferencesRepository {
  constructor(private readonly s: NotificationStore) {}
  async get(id: string) {
    return this.s.preferences.get(id) ?? null;
  }
  async save(p: Preferences) {
    this.s.preferences = new Map(this.s.preferences).set(p.accountId, p);
  }
}

class MemDevices implements PushDeviceRepository {
  constructor(private readonly s: NotificationStore) {}
  async list(accountId: string) {
    return [...this.s.devices.values()].filter((d) => d.accountId === accountId);
  }
  async upsert(d: PushDevice) {
    this.s.devices = new Map(this.s.devices).set(d.token, d);
  }
  async remove(accountId: string, token: string) {
    if (this.s.devices.get(token)?.accountId !== accountId) return false;
    const next = new Map(this.s.devices);
    next.delete(token);
    this.s.devices = next;
    return true;
  }
}

class MemTemplates implements TemplateRepository {
  constructor(private readonly s: NotificationStore) {}
  async list(key?: TemplateKey) {
    return [...this.s.templates.values()].filter((t) => !key || t.key === key);
  }
  async get(key: TemplateKey, channel: Channel, locale: Locale) {
    return this.s.templates.get(tkey(key, channel, locale)) ?? null;
  }
  async save(t: Template) {
    this.s.templates = new Map(this.s.templates).set(tkey(t.key, t.channel, t.locale), t);
  }
}

/** Transactions over the in-memory store: rolled back on a throw, the inbox kept in them. */
export class InMemoryUnitOfWork
  extends FakeUnitOfWork<NotificationTx, never, NotificationStore>
  implements UnitOfWork
{
  protected begin() {
    return {
      tx: {
        deliveries: new MemDeliveries(this.store),
        preferences: new MemPreferences(this.store),
        devices: new MemDevices(this.store),
        templates: new MemTemplates(this.store),
      },
      recorded: { rows: [] as never[] },
    };
  }
}

/** Accounts the test sets; `down` makes every call fail as an unreachable user service would. */
export class FakeAccounts implements AccountDirectory {
  readonly accounts = new Map<string, AccountContact>();
  down = false;
  calls = 0;
  async contact(_ctx: RequestContext, accountId: string) {
    this.calls++;
    if (this.down) throw Object.assign(new Error('user unavailable'), { code: 'ECONNREFUSED' });
    return this.accounts.get(accountId) ?? null;
  }
  add(a: Partial<AccountContact> & { accountId: string }): AccountContact {
    const full: AccountContact = {
      email: '',
      phone: '',
      profileLocale: '',
      consents: new Set(),
      reachable: true,
      ...a,
    };
    this.accounts.set(a.accountId, full);
    return full;
  }
}

/** Records sent mail; `failWith` makes the next sends fail (permanent or not). */
export class RecordingEmail implements EmailSender {
  readonly sent: EmailMessage[] = [];
  failWith: SendFailure | Error | undefined;
  async send(m: EmailMessage) {
    if (this.failWith) throw this.failWith;
    this.sent.push(m);
  }
}

/** A provider that records what it took, answering `<name>-<n>` ids. */
export class RecordingProvider implements MessageProvider {
  readonly sent: { deliveryId: string; to: string; body: string }[] = [];
  constructor(readonly name: string) {}
  async send(m: { deliveryId: string; to: string; title: string; body: string }) {
    if (m.to.startsWith('fail-')) throw new SendFailure('refused', true);
    this.sent.push(m);
    return { providerMessageId: `${this.name}-${this.sent.length}` };
  }
}
