export {
  decodeEvent,
  dlqTopic,
  HEADER,
  newEvent,
  NonRetriableError,
  PROTOBUF_CONTENT_TYPE,
  topicName,
  toWireMessage,
} from './event';
export type { MessagePublisher, NewEvent, ReceivedEvent, WireMessage } from './event';
export { eventHandler, on } from './handlers';
export type { EventHandlers, TopicRoute } from './handlers';
export { appendToOutbox, OutboxRelay, transactionWithOutbox } from './outbox';
export type { OutboxBacklog, OutboxRelayOptions } from './outbox';
export { idempotentHandler, recordInInbox } from './inbox';
export { OutboxUnitOfWork } from './unit-of-work';
export type { OpenedTransaction } from './unit-of-work';
export { createKafka, ensureTopics, KafkaPublisher, pingKafka } from './kafka';
export type { KafkaConnectionOptions } from './kafka';
export { KafkaEventConsumer, readinessProbe } from './consumer';
export type { ConsumerOptions } from './consumer';
export {
  CONSUMER_LAG_POLL_MS,
  ConsumerLagMonitor,
  consumerLag,
  heldMessages,
} from './consumer-lag';
export type { ConsumerLagOptions, PartitionWatermarks } from './consumer-lag';
export {
  REPLAY_DLQ_USAGE,
  replayDeadLetters,
  replayProgressGroup,
  runReplayDlqCommand,
} from './dlq-replay';
export type { ReplayEntry, ReplayOptions, ReplayReport } from './dlq-replay';
export { classifyFailure, DependencyUnavailableError, isNonRetriable } from './failure';
export type { FailureClassifier, FailureKind } from './failure';
export { MessagingTables1764000000000 } from './messaging-tables.migration';
export { kafkaResource } from './kafka-resource';
export type { KafkaHandle, KafkaResourceOptions } from './kafka-resource';
