import type { Kafka, Producer } from 'kafkajs';
import type { WireMessage } from './event';
import { KafkaPublisher } from './kafka';

/** A stand-in for kafkajs' producers: each made one is recorded, with what it was asked. */
function fakeKafka(plan: {
  connect?: (n: number) => Promise<void>;
  send?: (n: number) => Promise<void>;
}) {
  const made: { connects: number; sends: number; disconnects: number }[] = [];
  const kafka = {
    producer: () => {
      const n = made.length;
      const calls = { connects: 0, sends: 0, disconnects: 0 };
      made.push(calls);
      return {
        connect: async () => {
          calls.connects++;
          await plan.connect?.(n);
        },
        sendBatch: async () => {
          calls.sends++;
          await plan.send?.(n);
          return [];
        },
        disconnect: async () => {
          calls.disconnects++;
        },
      } as unknown as Producer;
    },
  } as Pick<Kafka, 'producer'>;
  return { kafka, made };
}

const batch: WireMessage[] = [{ topic: 't', key: 'k', value: Buffer.from('{}'), headers: {} }];

describe('KafkaPublisher', () => {
  it('keeps one producer while sends succeed', async () => {
    const { kafka, made } = fakeKafka({});
    const publisher = new KafkaPublisher(kafka);
    await publisher.publish(batch);
    await publisher.publish(batch);
    expect(made).toEqual([{ connects: 1, sends: 2, disconnects: 0 }]);
  });

  it('after a failed send, publishes with a new producer (a new producer id and sequence numbers)', async () => {
    // the first producer is refused for good, as after a broker restart with its sequences ahead
    const outOfOrder = Object.assign(new Error('out of order sequence number'), {
      type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
    });
    const { kafka, made } = fakeKafka({
      send: async (n) => (n === 0 ? Promise.reject(outOfOrder) : undefined),
    });
    const publisher = new KafkaPublisher(kafka);
    await expect(publisher.publish(batch)).rejects.toBe(outOfOrder);
    await publisher.publish(batch);
    expect(made).toEqual([
      { connects: 1, sends: 1, disconnects: 1 },
      { connects: 1, sends: 1, disconnects: 0 },
    ]);
  });

  it('tries to connect again with the next publish after a connection failed', async () => {
    const down = new Error('connect ECONNREFUSED');
    const { kafka, made } = fakeKafka({
      connect: async (n) => (n === 0 ? Promise.reject(down) : undefined),
    });
    const publisher = new KafkaPublisher(kafka);
    await expect(publisher.publish(batch)).rejects.toBe(down);
    await publisher.publish(batch);
    expect(made.map((m) => m.connects)).toEqual([1, 1]);
    expect(made[1].sends).toBe(1);
  });

  it('publishes nothing for an empty batch, and close() disconnects the producer it made', async () => {
    const { kafka, made } = fakeKafka({});
    const publisher = new KafkaPublisher(kafka);
    await publisher.publish([]);
    expect(made).toEqual([]);
    await publisher.publish(batch);
    await publisher.close();
    expect(made).toEqual([{ connects: 1, sends: 1, disconnects: 1 }]);
  });
});
