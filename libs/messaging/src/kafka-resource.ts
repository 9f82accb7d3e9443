import type { Kafka } from 'kafkajs';
import type { ResourceSpec } from '@emporia/platform';
import { KafkaEventConsumer, readinessProbe, type ConsumerOptions } from './consumer';
import { runReplayDlqCommand } from './dlq-replay';
import { topicName } from './event';
import { createKafka, ensureTopics, KafkaPublisher, pingKafka } from './kafka';

/** What a service gets from its Kafka resource. */
export interface KafkaHandle {
  kafka: Kafka;
  /** Closed with the other clients, after the relay stopped. */
  publisher: KafkaPublisher;
  prefix: string;
  /** The full name of a topic (`catalog.product` with the KAFKA_TOPIC_PREFIX). */
  topic(name: string): string;
  /**
   * A consumer of these topics (unprefixed names) in the service's group; while a dependency is
   * down (the service's readiness fails) a failure is waited out, not dead-lettered.
   */
  consumer(
    opts: { topics: readonly string[] } & Pick<
      ConsumerOptions,
      'handler' | 'maxAttempts' | 'partitionsConcurrently' | 'gatherMs'
    >,
  ): KafkaEventConsumer;
}

export interface KafkaResourceOptions {
  brokers: string[];
  topicPrefix: string;
  /** Made at start when missing: the topics the service publishes and consumes (unprefixed). */
  topics: readonly string[];
  /** The consumer group; with one, the service has the `replay-dlq` command. */
  consumerGroup?: string;
}

/** Kafka: topics ensured at start, a publisher, consumers, and the `replay-dlq` command. */
export function kafkaResource(opts: KafkaResourceOptions): ResourceSpec<KafkaHandle> {
  const topic = (name: string) => topicName(opts.topicPrefix, name);
  const group = opts.consumerGroup;
  return {
    kind: 'client',
    async open({ service, logger, health }) {
      const kafka = createKafka({ brokers: opts.brokers, clientId: service, logger });
      await ensureTopics(kafka, opts.topics.map(topic));
      const publisher = new KafkaPublisher(kafka);
      return {
        value: {
          kafka,
          publisher,
          prefix: opts.topicPrefix,
          topic,
          consumer: ({ topics, handler, maxAttempts, partitionsConcurrently, gatherMs }) => {
            if (!group)
              throw new Error(`${service}: a consumer needs the resource's consumerGroup`);
            return new KafkaEventConsumer(kafka, {
              groupId: group,
              topics: topics.map(topic),
              logger,
              probe: readinessProbe(health),
              handler,
              ...(maxAttempts !== undefined ? { maxAttempts } : {}),
              ...(partitionsConcurrently !== undefined ? { partitionsConcurrently } : {}),
              ...(gatherMs !== undefined ? { gatherMs } : {}),
            });
          },
        },
        check: () => pingKafka(kafka),
        close: () => publisher.close(),
      };
    },
    ...(group
      ? {
          commands: {
            'replay-dlq': (args, { service, logger }) =>
              runReplayDlqCommand(args, {
                kafka: createKafka({
                  brokers: opts.brokers,
                  clientId: `${service}-replay-dlq`,
                  logger,
                }),
                topicPrefix: opts.topicPrefix,
                defaultGroup: group,
                logger,
              }),
          },
        }
      : {}),
  };
}
