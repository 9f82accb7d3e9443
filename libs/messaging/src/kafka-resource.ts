import type { Kafka } from 'kafkajs';
import type { ResourceSpec } from '@emporia/platform';
import { KafkaEventConsumer, readinessProbe, type ConsumerOptions } from './consumer';
import { CONSUMER_LAG_POLL_MS, ConsumerLagMonitor } from './consumer-lag';
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
  /**
   * How often the group's lag on its consumers' topics and their dead letters are measured
   * (`ConsumerLagMonitor`, from the first consumer made until the resource closes; default
   * CONSUMER_LAG_POLL_MS, 15 s; 0: not measured).
   */
  lagPollMs?: number;
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
      const lagPollMs = opts.lagPollMs ?? CONSUMER_LAG_POLL_MS;
      const lag =
        group && lagPollMs > 0
          ? new ConsumerLagMonitor({
              brokers: opts.brokers,
              clientId: `${service}-lag`,
              groupId: group,
              intervalMs: lagPollMs,
              logger,
            })
          : undefined;
      return {
        value: {
          kafka,
          publisher,
          prefix: opts.topicPrefix,
          topic,
          consumer: ({ topics, handler, maxAttempts, partitionsConcurrently, gatherMs }) => {
            if (!group)
              throw new Error(`${service}: a consumer needs the resource's consumerGroup`);
            lag?.watch(topics.map(topic));
            lag?.start();
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
        close: async () => {
          await lag?.stop();
          await publisher.close();
        },
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
