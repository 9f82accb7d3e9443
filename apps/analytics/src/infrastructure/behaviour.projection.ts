import type { Sql } from '@emporia/persistence';
import type { BehaviourFact, Fact } from '../domain/facts';
import { STEP_BIT } from '../domain/figures';
import type { Projection } from './projection';
import { ensurePartition, type KnownPartitions } from './sql-fact-partitions';

const COLUMNS = [
  'day',
  'event_id',
  'type',
  'anonymous_id',
  'account_id',
  'session_id',
  'occurred_at',
  'received_at',
  'channel',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'referrer',
  'device_type',
  'device_os',
  'device_browser',
  'page',
  'product_id',
  'sku_id',
  'quantity',
  'query',
  'result_count',
  'banner_id',
  'experiment_key',
  'variant',
] as const;

const INSERT = `INSERT INTO behaviour_events (${COLUMNS.join(', ')})
  VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT DO NOTHING`;

const orNull = (v: string) => v || null;

function row(f: BehaviourFact): unknown[] {
  return [
    f.day,
    f.eventId,
    f.type,
    f.anonymousId,
    orNull(f.accountId),
    f.sessionId,
    f.occurredAt,
    f.receivedAt,
    f.channel,
    f.utm.source,
    f.utm.medium,
    f.utm.campaign,
    f.utm.term,
    f.utm.content,
    f.referrer,
    f.device.type,
    f.device.os,
    f.device.browser,
    f.page,
    orNull(f.productId),
    orNull(f.skuId),
    f.quantity,
    f.query,
    f.resultCount,
    f.bannerId,
    f.experimentKey,
    f.variant,
  ];
}

/**
 * Behaviour facts: the event in its day's partition (made on demand for a late day), the
 * visitor's link to its account, the visitor-day's funnel steps, and its UTM touch.
 */
export function behaviourProjection(known: KnownPartitions): Projection {
  return {
    name: 'collection-behaviour',
    kinds: ['behaviour', 'account_deleted'],
    async apply(sql: Sql, fact: Fact): Promise<void> {
      if (fact.kind === 'account_deleted') {
        // the identity map forgets the account; its facts stay anonymous
        await sql.run(`DELETE FROM visitor_accounts WHERE account_id = $1`, [fact.accountId]);
        return;
      }
      if (fact.kind !== 'behaviour') return;
      if (!known.has(fact.day)) {
        // remembered only when it existed before: a partition made here is real once committed
        if (!(await ensurePartition(sql, fact.day))) known.add(fact.day);
      }
      await sql.run(INSERT, row(fact));
      if (fact.accountId)
        await sql.run(
          `INSERT INTO visitor_accounts (anonymous_id, account_id, first_seen_at) VALUES ($1, $2, $3)
             ON CONFLICT (anonymous_id, account_id)
             DO UPDATE SET first_seen_at = LEAST(visitor_accounts.first_seen_at, EXCLUDED.first_seen_at)`,
          [fact.anonymousId, fact.accountId, fact.occurredAt],
        );
      const bit = STEP_BIT[fact.type as keyof typeof STEP_BIT];
      if (bit)
        await sql.run(
          `INSERT INTO funnel_visitor_days (day, anonymous_id, channel, utm_source, device, steps)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (day, anonymous_id, channel, utm_source, device)
             DO UPDATE SET steps = funnel_visitor_days.steps | EXCLUDED.steps`,
          [fact.day, fact.anonymousId, fact.channel, fact.utm.source, fact.device.type, bit],
        );
      if (fact.utm.source)
        await sql.run(
          `INSERT INTO utm_touches (event_id, anonymous_id, occurred_at, day, source, medium, campaign)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING`,
          [
            fact.eventId,
            fact.anonymousId,
            fact.occurredAt,
            fact.day,
            fact.utm.source,
            fact.utm.medium,
            fact.utm.campaign,
          ],
        );
    },
  };
}
