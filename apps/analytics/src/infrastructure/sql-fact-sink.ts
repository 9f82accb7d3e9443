import { recordInInbox, transactionWithOutbox, type NewEvent } from '@emporia/messaging';
import { Sql } from '@emporia/persistence';
import type { RequestContext } from '@emporia/platform';
import type { DataSource } from 'typeorm';
import type { FactSink, FactSource } from '../application/ports';
import type { Fact } from '../domain/facts';
import type { Projection, ProjectionContext } from './projection';

/**
 * The fact sink over Postgres: one transaction per fact holding the inbox row (consumer
 * `analytics`), every projection of the fact's kind in the order given, and the events they
 * raised (outbox). A duplicate event id records nothing.
 */
export class SqlFactSink implements FactSink {
  constructor(
    private readonly ds: DataSource,
    private readonly projections: readonly Projection[],
    private readonly opts: {
      consumer: string;
      timeZone: string;
      topic: (baseName: string) => string;
      onEventsCommitted?: () => void;
    },
  ) {}

  record(_ctx: RequestContext, fact: Fact, source: FactSource): Promise<boolean> {
    const applies = this.projections.filter((p) => p.kinds.includes(fact.kind));
    return transactionWithOutbox(
      this.ds,
      async (manager) => {
        const events: NewEvent[] = [];
        const inboxEvent = {
          ...source,
          key: '',
          value: Buffer.alloc(0),
          headers: {},
          occurredAt: '',
        };
        if (!(await recordInInbox(manager, this.opts.consumer, inboxEvent)))
          return { result: false, events };
        const sql = new Sql(manager);
        const ctx: ProjectionContext = {
          publish: (e) => events.push(e),
          topic: this.opts.topic,
          timeZone: this.opts.timeZone,
        };
        for (const p of applies) await p.apply(sql, fact, ctx);
        return { result: true, events };
      },
      this.opts.onEventsCommitted,
    );
  }
}
