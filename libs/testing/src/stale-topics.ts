import { Kafka, logLevel } from 'kafkajs';

/**
 * Kafka topics left behind by earlier test runs on long-lived local servers.
 *
 * Every integration suite and benchmark gives its services a `KAFKA_TOPIC_PREFIX` made of a few
 * letters and `uniqueSuffix()` (the creation instant in base 36, then 6 hex digits), so its topics
 * never meet another run's. Nothing deletes them afterwards (a suite that fails mid-way could not
 * anyway), and on a developer's servers thousands pile up until the broker answers metadata
 * requests in tens of seconds and services no longer start. The integration project's global
 * setup therefore deletes the topics whose prefix says they were made more than `olderThanMs`
 * ago: long past any run still going (CI allows 90 minutes), so concurrent runs on the same
 * servers are never touched. Topics without such a prefix (the deployment's own) are left alone.
 */
const PREFIXED = /^[a-z0-9]*([0-9a-z]{8})[0-9a-f]{6}\./;

/** When a test prefix says its topic was made, or undefined for a topic without one. */
export function testTopicCreatedAt(topic: string): number | undefined {
  const m = PREFIXED.exec(topic);
  if (!m) return undefined;
  const at = parseInt(m[1], 36);
  // base 36 of a millisecond instant between 2020 and 2100 (8 digits): anything else is a name
  return at >= Date.UTC(2020, 0, 1) && at < Date.UTC(2100, 0, 1) ? at : undefined;
}

/** The topics of `topics` that an earlier test run left behind (see above). */
export function staleTestTopics(topics: readonly string[], now: number, olderThanMs: number) {
  return topics.filter((t) => {
    const at = testTopicCreatedAt(t);
    return at !== undefined && now - at > olderThanMs;
  });
}

/** Deletes the stale test topics on `brokers`; returns how many. Never throws (a tidy-up). */
export async function deleteStaleTestTopics(
  brokers: string[],
  olderThanMs = 6 * 3600_000,
): Promise<number> {
  const admin = new Kafka({
    clientId: 'emporia-test-tidy',
    brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const stale = staleTestTopics(await admin.listTopics(), Date.now(), olderThanMs);
    for (let i = 0; i < stale.length; i += 200)
      await admin.deleteTopics({ topics: stale.slice(i, i + 200), timeout: 60_000 });
    return stale.length;
  } catch (e) {
    process.stderr.write(`stale test topics not deleted: ${String(e)}\n`);
    return 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
