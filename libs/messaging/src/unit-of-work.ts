import type { DataSource, EntityManager } from 'typeorm';
import type { RequestContext } from '@emporia/platform';
import type { NewEvent, ReceivedEvent } from './event';
import { recordInInbox } from './inbox';
import { transactionWithOutbox } from './outbox';

/** What one transaction works with: the service's repositories, and its events to write. */
export interface OpenedTransaction<Tx> {
  tx: Tx;
  /** The events the work produced, appended to the outbox in the same transaction. */
  drain(): NewEvent[];
}

/**
 * A service's unit of work: one transaction per use-case step, its events written to the outbox
 * in that transaction (the relay is woken after commit), and `runForEvent` recording the
 * consumed event in the inbox in the same transaction, so a redelivery changes nothing.
 * Services say only how to open their repositories on a transaction.
 */
export abstract class OutboxUnitOfWork<Tx> {
  constructor(
    private readonly ds: DataSource,
    private readonly onEventsCommitted: () => void = () => undefined,
  ) {}

  protected abstract open(manager: EntityManager, ctx: RequestContext): OpenedTransaction<Tx>;

  run<T>(ctx: RequestContext, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.transact(ctx, (_manager, tx) => work(tx));
  }

  /**
   * Runs read-only `work` outside a transaction: each query on its own pooled connection, so a
   * read of one or two rows costs its queries and no BEGIN/COMMIT round trips. For reads that
   * need no consistent snapshot across their queries and take no locks; a write or an event
   * there is a bug (an event would be lost: it throws).
   */
  async read<T>(ctx: RequestContext, work: (tx: Tx) => Promise<T>): Promise<T> {
    const opened = this.open(this.ds.manager, ctx);
    const result = await work(opened.tx);
    if (opened.drain().length > 0)
      throw new Error('a read-only unit of work produced events: use run() for changes');
    return result;
  }

  /**
   * Runs `work` that is one statement, atomic by itself, outside a transaction (Postgres makes a
   * statement its own): no BEGIN/COMMIT round trips, no lock outliving the statement. Like `read`
   * it refuses events; unlike a read, its statement may write.
   */
  statement<T>(ctx: RequestContext, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.read(ctx, work);
  }

  /** Runs `work` once per event (inbox row in the same transaction); false when already handled. */
  runForEvent(
    ctx: RequestContext,
    consumer: string,
    event: ReceivedEvent,
    work: (tx: Tx) => Promise<void>,
  ): Promise<boolean> {
    return this.transact(ctx, async (manager, tx) => {
      if (!(await recordInInbox(manager, consumer, event))) return false;
      await work(tx);
      return true;
    });
  }

  private transact<T>(
    ctx: RequestContext,
    work: (manager: EntityManager, tx: Tx) => Promise<T>,
  ): Promise<T> {
    return transactionWithOutbox(
      this.ds,
      async (manager) => {
        const opened = this.open(manager, ctx);
        const result = await work(manager, opened.tx);
        return { result, events: opened.drain() };
      },
      this.onEventsCommitted,
    );
  }
}
