import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EVENT_TOPICS, eventTypeNamed, ORDER_ORDER, versionOf, type EventMessage } from './events';

/** Every `events.ts` ts-proto generated from proto/emporia/<context>/<version>/events.proto. */
function generatedEventFiles(dir = join(__dirname, 'gen')): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return generatedEventFiles(path);
    return entry === 'events.ts' ? [path] : [];
  });
}

const isMessage = (v: unknown): v is EventMessage =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as EventMessage).$type === 'string' &&
  typeof (v as EventMessage).encode === 'function';

/** Fully-qualified name -> generated message, from every generated events file. */
function generatedEventMessages(): Map<string, EventMessage> {
  const messages = new Map<string, EventMessage>();
  for (const file of generatedEventFiles()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exports = require(file) as Record<string, unknown>;
    for (const value of Object.values(exports))
      if (isMessage(value)) messages.set(value.$type, value);
  }
  return messages;
}

const registered = EVENT_TOPICS.flatMap((t) => Object.values(t.events));

describe('event registry', () => {
  it('finds the generated events files (at least those of the four publishing contexts)', () => {
    const files = generatedEventFiles().map((f) => relative(join(__dirname, 'gen'), f));
    expect(files).toEqual(
      expect.arrayContaining([
        'emporia/catalog/v1/events.ts',
        'emporia/marketing/v1/events.ts',
        'emporia/order/v1/events.ts',
        'emporia/user/v1/events.ts',
      ]),
    );
  });

  it('puts every generated event message on a topic', () => {
    const generated = [...generatedEventMessages().keys()].sort();
    expect(generated.length).toBeGreaterThan(20);
    expect(registered.map((e) => e.name).sort()).toEqual(generated);
  });

  it('registers only generated event messages, each with its own generated codec', () => {
    const generated = generatedEventMessages();
    for (const e of registered) expect(e.codec).toBe(generated.get(e.name));
  });

  it('gives each event type one topic and each topic one name', () => {
    const names = registered.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    const topics = EVENT_TOPICS.map((t) => t.name);
    expect(new Set(topics).size).toBe(topics.length);
    for (const t of EVENT_TOPICS)
      for (const e of Object.values(t.events)) expect(e.topic).toBe(t.name);
  });

  it("keeps a topic to its own context's messages (topic `order.x` holds `emporia.order.*`)", () => {
    for (const t of EVENT_TOPICS) {
      const context = t.name.split('.')[0];
      for (const e of Object.values(t.events)) expect(e.name.split('.')[1]).toBe(context);
    }
  });

  it('keys each event by its message name and takes the version from its package', () => {
    expect(ORDER_ORDER.events.OrderPaid.name).toBe('emporia.order.v1.OrderPaid');
    for (const t of EVENT_TOPICS)
      for (const [key, e] of Object.entries(t.events)) {
        expect(e.name.endsWith(`.${key}`)).toBe(true);
        expect(e.version).toBe('v1');
      }
    expect(versionOf('emporia.order.v2.OrderPaid')).toBe('v2');
    expect(() => versionOf('emporia.order.OrderPaid')).toThrow(/no version/);
  });

  it('finds an event type by the name in its header', () => {
    expect(eventTypeNamed('emporia.user.v1.LoginAnomaly')?.topic).toBe('user.account');
    expect(eventTypeNamed('emporia.user.v1.Nothing')).toBeUndefined();
  });

  it('round-trips a payload through the registered codec', () => {
    const { codec } = ORDER_ORDER.events.OrderRefunded;
    const message = {
      orderId: 'o-1',
      accountId: 'a-1',
      refundId: 'r-1',
      amountRefunded: { amountMinor: 1250, currency: 'EUR' },
      refundedAt: '2026-01-02T03:04:05.000Z',
      full: true,
    };
    expect(codec.decode(codec.encode(message).finish())).toEqual(message);
  });
});
