import { ANALYTICS_BEHAVIOUR } from '@emporia/contracts';
import { HEADER, type MessagePublisher, type WireMessage } from '@emporia/messaging';
import { collectEvent, type CollectedEvent } from '../domain/behaviour-validation';
import { KafkaBehaviourPublisher } from './kafka-behaviour.publisher';

const collected = (eventId: string, anonymousId: string): CollectedEvent => {
  const r = collectEvent(
    {
      eventId,
      type: 'page_view',
      anonymousId,
      accountId: '',
      sessionId: '',
      occurredAt: '2026-12-02T11:00:00Z',
      receivedAt: '',
      channel: 'web',
      referrer: '',
      page: '/',
      productId: '',
      skuId: '',
      quantity: 0,
      query: '',
      resultCount: 0,
      bannerId: '',
      experimentKey: '',
      variant: '',
    },
    0,
    {
      receivedAt: new Date('2026-12-02T12:00:00Z'),
      accountId: '',
      skewMs: 0,
      maxLateMs: 86_400_000,
    },
  );
  if (!('event' in r)) throw new Error('test event is invalid');
  return r.event;
};

describe('KafkaBehaviourPublisher', () => {
  it('sends each event keyed by its visitor, with its own id as event-id, to the prefixed topic', async () => {
    const sent: WireMessage[] = [];
    const publisher: MessagePublisher = { publish: async (m) => void sent.push(...m) };
    const ids = ['0b9d3c52-62f5-4a5c-9d6e-0f2d1c7d9e11', '0b9d3c52-62f5-4a5c-9d6e-0f2d1c7d9e12'];
    await new KafkaBehaviourPublisher(publisher, (n) => `p.${n}`, 1000).publish([
      collected(ids[0], 'v1'),
      collected(ids[1], 'v2'),
    ]);
    expect(
      sent.map((m) => [m.topic, m.key, m.headers[HEADER.eventId], m.headers[HEADER.eventType]]),
    ).toEqual([
      ['p.analytics.behaviour', 'v1', ids[0], 'emporia.analytics.v1.BehaviourEventReceived'],
      ['p.analytics.behaviour', 'v2', ids[1], 'emporia.analytics.v1.BehaviourEventReceived'],
    ]);
    expect(sent[0].headers[HEADER.occurredAt]).toBe('2026-12-02T11:00:00.000Z');
    const decoded = ANALYTICS_BEHAVIOUR.events.BehaviourEventReceived.codec.decode(sent[1].value);
    expect(decoded.event).toMatchObject({
      eventId: ids[1],
      anonymousId: 'v2',
      receivedAt: '2026-12-02T12:00:00.000Z',
    });
  });

  it('gives up after its timeout when the broker does not acknowledge', async () => {
    const publisher: MessagePublisher = { publish: () => new Promise(() => undefined) };
    await expect(
      new KafkaBehaviourPublisher(publisher, (n) => n, 50).publish([
        collected('0b9d3c52-62f5-4a5c-9d6e-0f2d1c7d9e11', 'v1'),
      ]),
    ).rejects.toThrow(/no acknowledgement within 50 ms/);
  });

  it('passes a broker failure on', async () => {
    const publisher: MessagePublisher = {
      publish: async () => Promise.reject(new Error('KafkaJSConnectionError')),
    };
    await expect(
      new KafkaBehaviourPublisher(publisher, (n) => n, 1000).publish([
        collected('0b9d3c52-62f5-4a5c-9d6e-0f2d1c7d9e11', 'v1'),
      ]),
    ).rejects.toThrow('KafkaJSConnectionError');
  });
});
