import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { OutboxUnitOfWork } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
import type { Clock, IdGenerator, SupportTx, UnitOfWork } from '../application/ports';
import { OutboxTicketEvents } from './outbox-ticket-events';
import {
  SqlAgentRepository,
  SqlMessageRepository,
  SqlSlaTargetRepository,
  SqlTemplateRepository,
} from './sql-support.repositories';
import { SqlTicketRepository } from './sql-ticket.repository';

/** One transaction per step; the tickets' events commit with the change; the relay is woken after. */
export class TypeormUnitOfWork extends OutboxUnitOfWork<SupportTx> implements UnitOfWork {
  constructor(
    ds: DataSource,
    private readonly topic: string,
    onEventsCommitted?: () => void,
  ) {
    super(ds, onEventsCommitted);
  }

  protected open(manager: EntityManager, ctx: RequestContext) {
    const events = new OutboxTicketEvents(this.topic, ctx);
    return {
      tx: {
        tickets: new SqlTicketRepository(manager, events),
        messages: new SqlMessageRepository(manager),
        agents: new SqlAgentRepository(manager),
        templates: new SqlTemplateRepository(manager),
        sla: new SqlSlaTargetRepository(manager),
      },
      drain: () => events.drain(),
    };
  }
}

export const systemClock: Clock = { now: () => new Date() };
export const uuidV7Generator: IdGenerator = { newId: () => uuidv7() };
