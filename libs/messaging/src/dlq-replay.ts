import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '@emporia/platform';
import { dlqTopic, HEADER, topicName } from './event';
import { KafkaPublisher } from './kafka';

export interface ReplayOptions {
  /** The original topic, prefix included; its dead letters are in `<topic>.dlq`. */
  topic: string;
  /** Only what this consumer group dead-lettered (the `dlq-consumer-group` header). */
  group: string;
  /** Report what would be replayed; publish nothing, record no progress. */
  dryRun?: boolean;
  /** Replay at most this many messages (the rest stay for the next run). */
  limit?: number;
  logger: Logger;
  /** Each dead letter looked at, in partition order. */
  onMessage?: (entry: ReplayEntry) => void;
  /** Fails if no message arrives for this long before the end is reached (default 30 s). */
  idleTimeoutMs?: number;
}

export interface ReplayEntry {
  partition: number;
  offset: string;
  key: string;
  eventId: string;
  eventType: string;
  consumerGroup: string;
  error: string;
  failedAt: string;
  /** `skipped`: another group's dead letter. */
  action: 'replayed' | 'would-replay' | 'skipped';
}

export interface ReplayReport {
  dlqTopic: string;
  /** The consumer group on the DLQ that records the replay's progress. */
  progressGroup: string;
  replayed: number;
  wouldReplay: number;
  skipped: number;
  /** Dead letters left unread because of `limit`. */
  left: number;
}

/** The consumer group that records how far the DLQ of `group` has been replayed. */
export function replayProgressGroup(group: string): string {
  return `${group}.dlq-replay`;
}

const header = (headers: IHeaders | undefined, name: string): string => {
  const v = headers?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? '' : first.toString();
};

/**
 * Replays `<topic>.dlq` for one consumer group: each dead letter that group wrote is published
 * again to its original topic with its original key, payload and headers (the same event-id, so
 * every consumer's inbox or version check ignores it where it was already applied), plus
 * `dlq-replayed-from`. Progress is recorded message by message as the offsets of a consumer
 * group of its own on the DLQ (`<group>.dlq-replay`), after the publish was acknowledged: a
 * second run starts after the last message replayed, and an interrupted run at worst replays
 * one message twice. Reads up to the end the DLQ had when the run started.
 */
export async function replayDeadLetters(kafka: Kafka, opts: ReplayOptions): Promise<ReplayReport> {
  const dlq = dlqTopic(opts.topic);
  const progressGroup = replayProgressGroup(opts.group);
  const report: ReplayReport = {
    dlqTopic: dlq,
    progressGroup,
    replayed: 0,
    wouldReplay: 0,
    skipped: 0,
    left: 0,
  };
  // Where to start (the progress group's offsets) and where to stop (the end offsets now).
  const admin = kafka.admin();
  await admin.connect();
  const position = new Map<number, number>();
  const end = new Map<number, number>();
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(dlq))
      throw new Error(`no topic ${dlq}: nothing was ever dead-lettered there`);
    const [committed] = await admin.fetchOffsets({ groupId: progressGroup, topics: [dlq] });
    for (const p of await admin.fetchTopicOffsets(dlq)) {
      const done = Number(
        committed?.partitions.find((c) => c.partition === p.partition)?.offset ?? -1,
      );
      position.set(p.partition, Math.max(done, Number(p.low)));
      end.set(p.partition, Number(p.high));
    }
  } finally {
    await admin.disconnect();
  }
  const remaining = () =>
    [...end].reduce((n, [p, e]) => n + Math.max(0, e - (position.get(p) ?? e)), 0);
  if (remaining() === 0) {
    opts.logger.info({ dlq, group: opts.group }, 'nothing to replay');
    return report;
  }

  // A dry run reads through a throwaway group (seeking to the progress), never the real one.
  const groupId = opts.dryRun
    ? `${progressGroup}.dry-run.${randomBytes(4).toString('hex')}`
    : progressGroup;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
  const publisher = opts.dryRun ? undefined : new KafkaPublisher(kafka);
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  let finish: (e?: Error) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = (e) => (e ? reject(e) : resolve());
  });
  finished.catch(() => undefined); // awaited below; may settle before that
  let lastProgress = Date.now();
  let stopped = false;
  const idleMs = opts.idleTimeoutMs ?? 30000;
  const watchdog = setInterval(() => {
    if (Date.now() - lastProgress > idleMs)
      finish(
        new Error(
          `DLQ replay of ${dlq} made no progress for ${idleMs} ms (${remaining()} dead letters unread)`,
        ),
      );
  }, 500);
  const replayOne = async (partition: number, message: KafkaMessage): Promise<void> => {
    const offset = Number(message.offset);
    if (stopped || offset < (position.get(partition) ?? 0) || offset >= (end.get(partition) ?? 0))
      return;
    lastProgress = Date.now();
    const entry: ReplayEntry = {
      partition,
      offset: message.offset,
      key: message.key?.toString() ?? '',
      eventId: header(message.headers, HEADER.eventId),
      eventType: header(message.headers, HEADER.eventType),
      consumerGroup: header(message.headers, 'dlq-consumer-group'),
      error: header(message.headers, 'dlq-error'),
      failedAt: header(message.headers, 'dlq-failed-at'),
      action: 'skipped',
    };
    if (entry.consumerGroup === opts.group) {
      if (report.replayed + report.wouldReplay >= limit) {
        stopped = true;
        finish();
        return;
      }
      if (publisher) {
        const headers: Record<string, string> = {};
        for (const name of Object.keys(message.headers ?? {}))
          if (!name.startsWith('dlq-')) headers[name] = header(message.headers, name);
        headers['dlq-replayed-from'] = `${dlq}/${partition}/${message.offset}`;
        headers['dlq-replayed-at'] = new Date().toISOString();
        await publisher.publish([
          { topic: opts.topic, key: entry.key, value: message.value ?? Buffer.alloc(0), headers },
        ]);
        entry.action = 'replayed';
        report.replayed++;
      } else {
        entry.action = 'would-replay';
        report.wouldReplay++;
      }
    } else {
      report.skipped++;
    }
    if (!opts.dryRun)
      await consumer.commitOffsets([{ topic: dlq, partition, offset: String(offset + 1) }]);
    position.set(partition, offset + 1);
    opts.onMessage?.(entry);
    if (remaining() === 0) {
      stopped = true;
      finish();
    }
  };
  try {
    await publisher?.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: dlq, fromBeginning: true });
    if (opts.dryRun) {
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const [partition, offset] of position)
          consumer.seek({ topic: dlq, partition, offset: String(offset) });
      });
    }
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        try {
          await replayOne(partition, message);
        } catch (e) {
          // nothing recorded for this message: the next run starts with it
          stopped = true;
          finish(e as Error);
        }
      },
    });
    await finished;
  } finally {
    clearInterval(watchdog);
    await consumer.disconnect().catch(() => undefined);
    await publisher?.close().catch(() => undefined);
  }
  report.left = remaining();
  opts.logger.info({ ...report, group: opts.group, dryRun: !!opts.dryRun }, 'DLQ replay done');
  return report;
}

export const REPLAY_DLQ_USAGE =
  'usage: main.ts replay-dlq --topic <topic> [--group <consumer group>] [--dry-run] [--limit <n>]';

/**
 * `main.ts replay-dlq ...` of a service: the topic is named without the deployment's prefix
 * (`order.order`), the group defaults to the service's own consumer group. Prints one JSON line
 * per dead letter looked at and a summary line.
 */
export async function runReplayDlqCommand(
  args: string[],
  ctx: {
    kafka: Kafka;
    topicPrefix: string;
    defaultGroup: string;
    logger: Logger;
    print?: (line: string) => void;
  },
): Promise<ReplayReport> {
  let values: { topic?: string; group?: string; 'dry-run'?: boolean; limit?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        topic: { type: 'string' },
        group: { type: 'string' },
        'dry-run': { type: 'boolean' },
        limit: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${REPLAY_DLQ_USAGE}`);
  }
  if (!values.topic) throw new Error(`--topic is required\n${REPLAY_DLQ_USAGE}`);
  if (values.topic.endsWith('.dlq'))
    throw new Error(`--topic names the original topic, not its DLQ\n${REPLAY_DLQ_USAGE}`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new Error(`--limit must be a positive whole number\n${REPLAY_DLQ_USAGE}`);
  const print = ctx.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const report = await replayDeadLetters(ctx.kafka, {
    topic: topicName(ctx.topicPrefix, values.topic),
    group: values.group || ctx.defaultGroup,
    dryRun: values['dry-run'] ?? false,
    ...(limit !== undefined ? { limit } : {}),
    logger: ctx.logger,
    onMessage: (entry) => print(JSON.stringify(entry)),
  });
  print(JSON.stringify({ summary: report }));
  return report;
}
