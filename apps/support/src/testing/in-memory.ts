import { FakeClock, FakeUnitOfWork, SequentialIds } from '@emporia/domain/testing';
import type {
  Agent,
  AgentRepository,
  Customers,
  MessageRepository,
  PagePosition,
  SlaTargetRepository,
  SupportSettings,
  SupportTx,
  TemplateRepository,
  TicketRepository,
} from '../application/ports';
import type {
  BotAnswer,
  BotQuestion,
  CustomerOrders,
  FirstLineBot,
  OrderSummary,
  ShipmentSummary,
} from '../application/customer-orders.port';
import type { ComplaintFacts } from '../domain/insights';
import type { TicketFacts } from '../domain/kpis';
import { DEFAULT_SLA_TARGETS, type Category, type Queue, type SlaTarget } from '../domain/policy';
import type { ReplyTemplate } from '../domain/template';
import {
  ACTIVE_STATUSES,
  Ticket,
  type TicketEvent,
  type TicketMessage,
  type TicketState,
  type TicketStatus,
} from '../domain/ticket';

export interface RecordedEvent {
  ticketId: string;
  accountId: string;
  event: TicketEvent;
}

/** The tables, as Maps replaced (never mutated) by the fakes, so a rollback can restore them. */
export class InMemorySupportStore {
  tickets = new Map<string, TicketState>();
  messages: TicketMessage[] = [];
  agents = new Map<string, Agent>();
  templates = new Map<string, ReplyTemplate>();
  sla: SlaTarget[] = [...DEFAULT_SLA_TARGETS];
  outbox: RecordedEvent[] = [];
  /** Ticket ids in insertion order (the listings' tie-break). */
  order: string[] = [];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

class MemTickets implements TicketRepository {
  constructor(
    private readonly store: InMemorySupportStore,
    private readonly recorded: RecordedEvent[],
  ) {}

  private record(t: Ticket) {
    for (const event of t.pullEvents())
      this.recorded.push({ ticketId: t.id, accountId: t.state.accountId, event });
  }

  async insert(t: Ticket) {
    const s = t.state;
    if (
      s.requestId &&
      [...this.store.tickets.values()].some(
        (x) => x.accountId === s.accountId && x.requestId === s.requestId,
      )
    )
      return false;
    this.store.tickets = new Map(this.store.tickets).set(s.id, { ...s });
    this.store.order = [...this.store.order, s.id];
    this.record(t);
    return true;
  }

  async get(id: string) {
    const s = this.store.tickets.get(id);
    return s ? Ticket.restore(s) : null;
  }

  async save(t: Ticket) {
    this.store.tickets = new Map(this.store.tickets).set(t.id, { ...t.state });
    this.record(t);
  }

  async byRequest(accountId: string, requestId: string) {
    const s = [...this.store.tickets.values()].find(
      (x) => x.accountId === accountId && x.requestId === requestId && requestId,
    );
    return s ? Ticket.restore(s) : null;
  }

  private all() {
    return [...this.store.tickets.values()];
  }

  async listByAccount(
    accountId: string,
    status: TicketStatus | undefined,
    after: PagePosition | undefined,
    limit: number,
  ) {
    return this.all()
      .filter((t) => t.accountId === accountId && (!status || t.status === status))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || cmp(b.id, a.id))
      .filter(
        (t) =>
          !after ||
          t.createdAt.toISOString() < after.key ||
          (t.createdAt.toISOString() === after.key && t.id < after.id),
      )
      .slice(0, limit);
  }

  async listQueue(
    queue: Queue,
    statuses: readonly TicketStatus[],
    assigneeId: string | undefined,
    after: PagePosition | undefined,
    limit: number,
  ) {
    const key = (t: TicketState) => `${t.priority}|${(t.handedOffAt ?? t.createdAt).toISOString()}`;
    return this.all()
      .filter(
        (t) =>
          t.queue === queue &&
          statuses.includes(t.status) &&
          (!assigneeId || t.assigneeId === assigneeId),
      )
      .sort((a, b) => cmp(key(a), key(b)) || cmp(a.id, b.id))
      .filter((t) => !after || key(t) > after.key || (key(t) === after.key && t.id > after.id))
      .slice(0, limit);
  }

  async dueForBreach(now: Date, limit: number) {
    return this.all()
      .filter(
        (t) =>
          ACTIVE_STATUSES.includes(t.status) &&
          ((!t.firstRespondedAt && !t.firstResponseBreached && t.firstResponseDueAt! <= now) ||
            (!t.resolvedAt && !t.resolutionBreached && t.resolutionDueAt! <= now)),
      )
      .slice(0, limit)
      .map((t) => t.id);
  }

  async lowSatisfaction(limit: number) {
    return this.all()
      .filter((t) => t.survey && t.survey.rating <= 2 && !t.lowSatisfactionHandledAt)
      .slice(0, limit)
      .map((t) => t.id);
  }

  async dueForFollowUp(before: Date, limit: number) {
    return this.all()
      .filter(
        (t) =>
          (t.status === 'RESOLVED' || t.status === 'CLOSED') &&
          !t.followedUpAt &&
          t.resolvedAt! <= before,
      )
      .slice(0, limit)
      .map((t) => t.id);
  }

  async dueForClose(now: Date, limit: number) {
    return this.all()
      .filter((t) => t.status === 'RESOLVED' && t.reopenUntil! <= now)
      .slice(0, limit)
      .map((t) => t.id);
  }

  async idleBot(before: Date, limit: number) {
    return this.all()
      .filter((t) => t.status === 'BOT' && t.lastActivityAt <= before)
      .slice(0, limit)
      .map((t) => t.id);
  }

  async factsHandedOffBetween(from: Date, to: Date): Promise<TicketFacts[]> {
    return this.all()
      .filter((t) => t.handedOffAt && t.handedOffAt >= from && t.handedOffAt < to)
      .map((t) => ({
        assigneeId: t.assigneeId,
        handedOffAt: t.handedOffAt!,
        firstRespondedAt: t.firstRespondedAt,
        resolvedAt: t.resolvedAt,
        reopenCount: t.reopenCount,
        surveyRating: t.survey?.rating ?? null,
        firstResponseBreached: t.firstResponseBreached,
        resolutionBreached: t.resolutionBreached,
      }));
  }

  async complaintsOpenedBetween(
    from: Date,
    to: Date,
    categories: readonly Category[],
  ): Promise<ComplaintFacts[]> {
    return this.all()
      .filter((t) => t.createdAt >= from && t.createdAt < to && categories.includes(t.category))
      .map((t) => ({
        category: t.category,
        skuId: t.skuId,
        warehouseCodes: t.warehouseCodes,
        openedAt: t.createdAt,
      }));
  }
}

class MemMessages implements MessageRepository {
  constructor(private readonly store: InMemorySupportStore) {}
  async add(m: TicketMessage) {
    this.store.messages = [...this.store.messages, m];
  }
  async list(ticketId: string) {
    return this.store.messages.filter((m) => m.ticketId === ticketId);
  }
}

class MemAgents implements AgentRepository {
  constructor(private readonly store: InMemorySupportStore) {}
  async get(id: string) {
    return this.store.agents.get(id) ?? null;
  }
  async upsert(a: Agent) {
    this.store.agents = new Map(this.store.agents).set(a.agentId, { ...a });
  }
  async list() {
    return [...this.store.agents.values()].sort((a, b) => cmp(a.agentId, b.agentId));
  }
  async nextForQueue(queue: Queue) {
    const t = (a: Agent) => a.lastAssignedAt?.getTime() ?? -Infinity;
    return (
      [...this.store.agents.values()]
        .filter((a) => a.onShift && a.queues.includes(queue))
        .sort((a, b) => t(a) - t(b) || cmp(a.agentId, b.agentId))[0] ?? null
    );
  }
  async markAssigned(agentId: string, at: Date) {
    const latest = Math.max(
      ...[...this.store.agents.values()].map((a) => a.lastAssignedAt?.getTime() ?? 0),
    );
    const a = this.store.agents.get(agentId)!;
    await this.upsert({ ...a, lastAssignedAt: new Date(Math.max(at.getTime(), latest + 1)) });
  }
}

class MemTemplates implements TemplateRepository {
  constructor(private readonly store: InMemorySupportStore) {}
  async get(id: string) {
    return this.store.templates.get(id) ?? null;
  }
  async upsert(t: ReplyTemplate) {
    this.store.templates = new Map(this.store.templates).set(t.id, t);
  }
  async delete(id: string) {
    if (!this.store.templates.has(id)) return false;
    const m = new Map(this.store.templates);
    m.delete(id);
    this.store.templates = m;
    return true;
  }
  async list() {
    return [...this.store.templates.values()].sort((a, b) => cmp(a.name, b.name));
  }
}

class MemSla implements SlaTargetRepository {
  constructor(private readonly store: InMemorySupportStore) {}
  async list() {
    return this.store.sla;
  }
  async replace(targets: readonly SlaTarget[]) {
    this.store.sla = [...targets];
  }
}

/** The fake unit of work: a transaction over the store, its events in `outbox` on commit. */
export class InMemoryUnitOfWork extends FakeUnitOfWork<
  SupportTx,
  RecordedEvent,
  InMemorySupportStore
> {
  protected begin() {
    const rows: RecordedEvent[] = [];
    return {
      tx: {
        tickets: new MemTickets(this.store, rows),
        messages: new MemMessages(this.store),
        agents: new MemAgents(this.store),
        templates: new MemTemplates(this.store),
        sla: new MemSla(this.store),
      },
      recorded: { rows },
    };
  }
}

/** A bot answering from a script; `fail` makes it throw. */
export class FakeBot implements FirstLineBot {
  questions: BotQuestion[] = [];
  fail = false;
  constructor(
    public reply: (q: BotQuestion) => BotAnswer = () => ({
      kind: 'answer',
      topic: 'ORDER_STATUS',
      text: 'Your order has shipped.',
    }),
  ) {}
  async answer(q: BotQuestion): Promise<BotAnswer> {
    this.questions.push(q);
    if (this.fail) throw new Error('bot down');
    return this.reply(q);
  }
}

/** Orders per account; `down` makes every call throw as an unreachable order service would. */
export class FakeOrders implements CustomerOrders {
  orders = new Map<string, OrderSummary & { accountId: string; shipments: ShipmentSummary[] }>();
  down = false;
  add(accountId: string, orderId: string, skuIds: string[], warehouses: string[]) {
    this.orders.set(orderId, {
      accountId,
      orderId,
      status: 'SHIPPED',
      createdAt: '2026-11-20T00:00:00Z',
      paidAt: '2026-11-20T00:01:00Z',
      lines: skuIds.map((skuId) => ({ skuId, productId: skuId, title: 'item', quantity: 1 })),
      shipments: warehouses.map((w, i) => ({
        shipmentId: `${orderId}-s${i}`,
        orderId,
        warehouseCode: w,
        status: 'SHIPPED',
        carrier: 'SF',
        trackingNumber: `SF${i}00123`,
        events: [],
        skuIds,
      })),
    });
  }
  private check() {
    if (this.down) throw new Error('order unavailable');
  }
  async recentOrders() {
    this.check();
    return [];
  }
  async order(accountId: string, orderId: string) {
    this.check();
    const o = this.orders.get(orderId);
    return o && o.accountId === accountId ? o : undefined;
  }
  async shipments(accountId: string, orderId: string) {
    this.check();
    const o = this.orders.get(orderId);
    return o && o.accountId === accountId ? o.shipments : [];
  }
  async returns() {
    this.check();
    return [];
  }
}

export class FakeCustomers implements Customers {
  tiers = new Map<string, string>();
  names = new Map<string, string>();
  async tierOf(_ctx: unknown, accountId: string) {
    return this.tiers.get(accountId) ?? '';
  }
  async nameOf(_ctx: unknown, accountId: string) {
    return this.names.get(accountId) ?? '';
  }
}

export const testSettings = (over: Partial<SupportSettings> = {}): SupportSettings => ({
  autoAssign: true,
  reopenDays: 7,
  followUpDays: 3,
  botIdleHours: 24,
  timeZone: 'Asia/Shanghai',
  sweepBatch: 100,
  ...over,
});

export { FakeClock, SequentialIds };
