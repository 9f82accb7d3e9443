import {
  DynamicModule,
  Inject,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Client } from '@grpc/grpc-js';
import type { DataSource } from 'typeorm';
import {
  topicName,
  type KafkaEventConsumer,
  type KafkaPublisher,
  type OutboxRelay,
} from '@emporia/messaging';
import { ORDER_ORDER } from '@emporia/contracts';
import { pingDataSource } from '@emporia/persistence';
import {
  HealthRegistry,
  LOGGER,
  newContext,
  PlatformModule,
  waitForReady,
  type Logger,
} from '@emporia/platform';
import { CartUseCase } from './application/cart.use-case';
import { CheckoutAttemptsUseCase } from './application/checkout-attempts.use-case';
import { CheckoutUseCase } from './application/checkout.use-case';
import { GroupBuyUseCase } from './application/group-buy.use-case';
import { OrderLifecycleUseCase } from './application/order-lifecycle.use-case';
import { PaymentUseCase } from './application/payment.use-case';
import { ShipmentsUseCase } from './application/shipments.use-case';
import { ReturnsUseCase } from './application/returns.use-case';
import { ImportOrdersUseCase } from './application/import-orders.use-case';
import { genericJsonAdapter } from './domain/imported-order';
import { defaultRoutingStrategy } from './domain/routing';
import {
  CARRIER_WEBHOOKS,
  type CarrierWebhooks,
  CART_SETTINGS,
  type CartSettings,
  MARKETPLACES,
  ROUTING,
  CATALOG,
  type CatalogPort,
  CHECKOUT_SETTINGS,
  type CheckoutSettings,
  CLOCK,
  ID_GENERATOR,
  PAYMENT_PROVIDERS,
  type PaymentProvider,
  PRICING,
  type PricingPort,
  RISK,
  type RiskPort,
  SAGA_FAULTS,
  type SagaFaults,
  UNIT_OF_WORK,
} from './application/ports';
import {
  systemClock,
  TypeormUnitOfWork,
  uuidV7Generator,
} from './infrastructure/typeorm-unit-of-work';
import { OrderGrpcController } from './interface/order.grpc-controller';

export interface OrderInfrastructure {
  dataSource: DataSource;
  relay: OutboxRelay;
  publisher: KafkaPublisher;
  catalog: CatalogPort;
  catalogClient: Client;
  pricing: PricingPort;
  risk: RiskPort;
  providers: Map<string, PaymentProvider>;
  carrierWebhooks: CarrierWebhooks;
  settings: CheckoutSettings;
  cartSettings: CartSettings;
  sweepIntervalMs: number;
  topicPrefix: string;
  pingKafka: () => Promise<void>;
  /** Tests inject failures after saga steps; production passes nothing. */
  faults?: SagaFaults;
  closeClients: () => void;
  /** Set once the module is built (it needs the use case); the lifecycle stops it. */
  consumer?: KafkaEventConsumer;
}

const INFRA = Symbol('ORDER_INFRA');
const noFaults: SagaFaults = { after: () => undefined };

class OrderLifecycle
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(INFRA) private readonly infra: OrderInfrastructure,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly health: HealthRegistry,
    private readonly orders: OrderLifecycleUseCase,
    private readonly checkoutAttempts: CheckoutAttemptsUseCase,
    private readonly shipments: ShipmentsUseCase,
    private readonly returns: ReturnsUseCase,
    private readonly groupBuy: GroupBuyUseCase,
    private readonly carts: CartUseCase,
  ) {
    health.register('postgres', () => pingDataSource(infra.dataSource));
    health.register('kafka', infra.pingKafka);
    health.register('catalog', () => waitForReady(infra.catalogClient, 1000));
  }

  onApplicationBootstrap(): void {
    // Nest calls this once for the gRPC microservice and once for the HTTP app.
    if (this.timer) return;
    this.infra.relay.start();
    // Sweeps in bounded batches: unpaid orders past their deadline, checkouts interrupted
    // mid-saga, reservation commits/releases that did not reach the catalog, refunds of
    // failed groups an interrupted handler left undone, and expired guest tokens and carts.
    this.timer = setInterval(() => {
      if (this.running) return;
      const ctx = newContext();
      const step = (name: string, p: Promise<unknown>) =>
        p.catch((err: unknown) => this.logger.warn({ err }, `${name} sweep failed`));
      this.running = Promise.all([
        step('payment deadline', this.orders.expireOverdue(ctx)),
        step('interrupted checkout', this.checkoutAttempts.sweepStale(ctx)),
        step('reservation sync', this.orders.syncReservations(ctx)),
        step('shipment planning', this.shipments.planPending(ctx)),
        step('return completion', this.returns.finishPending(ctx)),
        step('group-buy refund', this.groupBuy.finishPending(ctx)),
        step('guest cart expiry', this.carts.expireGuestCarts(ctx)),
      ]).finally(() => (this.running = undefined));
    }, this.infra.sweepIntervalMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.health.markShuttingDown();
    clearInterval(this.timer);
    await this.infra.consumer?.stop();
    await this.running;
    await this.infra.relay.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.infra.publisher.close();
    this.infra.closeClients();
    if (this.infra.dataSource.isInitialized) await this.infra.dataSource.destroy();
    this.logger.info('order stopped');
  }
}

@Module({})
export class OrderModule {
  static forRoot(infra: OrderInfrastructure, logger: Logger): DynamicModule {
    const topic = topicName(infra.topicPrefix, ORDER_ORDER.name);
    return {
      module: OrderModule,
      imports: [PlatformModule.forRoot(logger)],
      controllers: [OrderGrpcController],
      providers: [
        { provide: INFRA, useValue: infra },
        {
          provide: UNIT_OF_WORK,
          useFactory: () =>
            new TypeormUnitOfWork(infra.dataSource, topic, () => infra.relay.nudge()),
        },
        { provide: CATALOG, useValue: infra.catalog },
        { provide: PRICING, useValue: infra.pricing },
        { provide: RISK, useValue: infra.risk },
        { provide: PAYMENT_PROVIDERS, useValue: infra.providers },
        { provide: CARRIER_WEBHOOKS, useValue: infra.carrierWebhooks },
        { provide: ROUTING, useValue: defaultRoutingStrategy },
        {
          provide: MARKETPLACES,
          useValue: new Map([[genericJsonAdapter.source, genericJsonAdapter]]),
        },
        { provide: CHECKOUT_SETTINGS, useValue: infra.settings },
        { provide: CART_SETTINGS, useValue: infra.cartSettings },
        { provide: SAGA_FAULTS, useValue: infra.faults ?? noFaults },
        { provide: CLOCK, useValue: systemClock },
        { provide: ID_GENERATOR, useValue: uuidV7Generator },
        OrderLifecycle,
        CartUseCase,
        CheckoutUseCase,
        CheckoutAttemptsUseCase,
        OrderLifecycleUseCase,
        PaymentUseCase,
        ShipmentsUseCase,
        ReturnsUseCase,
        ImportOrdersUseCase,
        GroupBuyUseCase,
      ],
    };
  }
}

export const ORDER_TOPICS = [ORDER_ORDER.name];
