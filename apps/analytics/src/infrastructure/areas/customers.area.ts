import { CUSTOMER_SETTINGS, CUSTOMER_STORE } from '../../application/customers.ports';
import { CustomersUseCase } from '../../application/customers.use-case';
import { CustomersGrpcController } from '../../interface/customers.grpc-controller';
import type { Area, AreaContext } from '../area';
import { CustomersProjection } from '../customers.projection';
import { SqlCustomerStore } from '../sql-customer-store';

/**
 * Customers: per-account aggregates kept from paid orders, refunds and deletions; retention
 * and cohorts, life-cycle stages and RFM read from them; audiences exported to marketing.
 */
export function customersArea(ctx: AreaContext): Area {
  return {
    controllers: [CustomersGrpcController],
    providers: [
      {
        provide: CUSTOMER_STORE,
        useValue: new SqlCustomerStore(ctx.postgres, {
          topic: (base) => ctx.kafka.topic(base),
          onEventsCommitted: ctx.nudgeRelay,
          defaultCurrency: ctx.config.ANALYTICS_DEFAULT_CURRENCY,
        }),
      },
      {
        provide: CUSTOMER_SETTINGS,
        useValue: {
          newDays: ctx.config.ANALYTICS_NEW_DAYS,
          dormantDays: ctx.config.ANALYTICS_DORMANT_DAYS,
        },
      },
      CustomersUseCase,
    ],
    projections: [new CustomersProjection()],
  };
}
