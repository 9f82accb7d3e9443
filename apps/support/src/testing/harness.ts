import { newContext } from '@emporia/platform';
import { AgentDeskUseCase } from '../application/agent-desk.use-case';
import {
  CustomerTicketsUseCase,
  type OpenTicketCommand,
} from '../application/customer-tickets.use-case';
import { OperationsUseCase } from '../application/operations.use-case';
import type { SupportSettings } from '../application/ports';
import { SupportSweepUseCase } from '../application/support-sweep.use-case';
import {
  FakeBot,
  FakeClock,
  FakeCustomers,
  FakeOrders,
  InMemorySupportStore,
  InMemoryUnitOfWork,
  SequentialIds,
  testSettings,
} from './in-memory';

/** The use cases over in-memory ports, with a clock, a bot, orders and customers to script. */
export function supportHarness(settings: Partial<SupportSettings> = {}) {
  const store = new InMemorySupportStore();
  const uow = new InMemoryUnitOfWork(store);
  const clock = new FakeClock(new Date('2026-11-23T02:00:00Z'));
  const ids = new SequentialIds();
  const s = testSettings(settings);
  const customers = new FakeCustomers();
  const orders = new FakeOrders();
  const bot = new FakeBot();
  const ctx = newContext();
  const customer = new CustomerTicketsUseCase(uow, clock, ids, s, customers, orders, bot);
  const desk = new AgentDeskUseCase(uow, clock, ids, s, customers, orders);
  const ops = new OperationsUseCase(uow, clock, ids, s);
  const sweep = new SupportSweepUseCase(uow, clock, ids, s);
  const open = (accountId: string, over: Partial<OpenTicketCommand> = {}) =>
    customer.open(ctx, {
      accountId,
      category: 'LOGISTICS_DELAY',
      subject: 'Where is my parcel?',
      body: 'It has not arrived',
      attachmentUrls: [],
      orderId: '',
      skuId: '',
      shipmentId: '',
      returnId: '',
      locale: 'zh-CN',
      requestId: '',
      ...over,
    });
  const agent = (id: string, queues: ('general' | 'senior')[] = ['general'], onShift = true) =>
    desk.setShift(ctx, id, `Agent ${id.slice(-4)}`, onShift, queues);
  const events = (type?: string) => store.outbox.filter((e) => !type || e.event.type === type);
  return {
    store,
    uow,
    clock,
    ids,
    customers,
    orders,
    bot,
    ctx,
    customer,
    desk,
    ops,
    sweep,
    open,
    agent,
    events,
  };
}

/** UUIDs that read as names in tests. */
export const uid = (n: number) => `0190a000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
