export {
  decodeEvent,
  dlqTopic,
  eventType,
  HEADER,
  newEvent,
  NonRetriableError,
  PROTOBUF_CONTENT_TYPE,
  topicName,
} from './event';
export type {
  EventType,
  MessageCodec,
  MessagePublisher,
  NewEvent,
  ReceivedEvent,
  WireMessage,
} from './event';
export { appendToOutbox, OutboxRelay, transactionWithOutbox } from './outbox';
export type { OutboxRelayOptions } from './outbox';
export { idempotentHandler, recordInInbox } from './inbox';
export { OutboxUnitOfWork } from './unit-of-work';
export type { OpenedTransaction } from './unit-of-work';
export {
  createKafka,
  ensureTopics,
  KafkaEventConsumer,
  KafkaPublisher,
  pingKafka,
  startConsumerFor,
} from './kafka';
export type { ConsumerOptions, KafkaConnectionOptions } from './kafka';
export { MessagingTables1764000000000 } from './messaging-tables.migration';
