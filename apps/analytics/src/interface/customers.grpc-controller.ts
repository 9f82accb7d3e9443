import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { analyticsV1 } from '@emporia/contracts';
import { withGrpcContext } from '@emporia/platform';
import { CustomersUseCase } from '../application/customers.use-case';

const S = 'AnalyticsService';

/** Retention and cohorts, life cycle, RFM and audience export (the customers area). */
@Controller()
export class CustomersGrpcController {
  constructor(private readonly customers: CustomersUseCase) {}

  @GrpcMethod(S, 'GetRetention')
  getRetention(
    req: analyticsV1.GetRetentionRequest,
    md?: Metadata,
  ): Promise<analyticsV1.GetRetentionResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.customers.retention(ctx, req.fromMonth ?? '', req.toMonth ?? '');
      return {
        repurchaseRate: r.repurchaseRate,
        buyers: r.buyers,
        repeatBuyers: r.repeatBuyers,
        cohorts: r.cohorts,
      };
    });
  }

  @GrpcMethod(S, 'GetLifecycle')
  getLifecycle(
    _req: analyticsV1.GetLifecycleRequest,
    md?: Metadata,
  ): Promise<analyticsV1.GetLifecycleResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.customers.lifecycle(ctx);
      return { stages: r.stages, asOf: r.asOf.toISOString() };
    });
  }

  @GrpcMethod(S, 'GetRfm')
  getRfm(req: analyticsV1.GetRfmRequest, md?: Metadata): Promise<analyticsV1.GetRfmResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.customers.rfm(ctx, req.segment ?? '', req.limit ?? 0);
      const money = (amountMinor: number) => ({ amountMinor, currency: r.currency });
      return {
        segments: r.segments.map((s) => ({
          name: s.segment,
          accounts: s.accounts,
          monetary: money(s.monetaryMinor),
        })),
        accounts: r.accounts.map((a) => ({
          accountId: a.accountId,
          recency: a.recency,
          frequency: a.frequency,
          monetary: a.monetary,
          segment: a.segment,
          daysSinceLastOrder: a.daysSinceLastOrder,
          paidOrders: a.paidOrders,
          spent: money(a.spentMinor),
        })),
        asOf: r.asOf.toISOString(),
      };
    });
  }

  @GrpcMethod(S, 'ExportAudience')
  exportAudience(
    req: analyticsV1.ExportAudienceRequest,
    md?: Metadata,
  ): Promise<analyticsV1.ExportAudienceResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.customers.exportAudience(ctx, {
        segment: req.segment ?? '',
        couponTemplateId: req.couponTemplateId ?? '',
        requestedBy: req.requestedBy ?? '',
        idempotencyKey: req.idempotencyKey ?? '',
      });
      return { audienceId: r.audienceId, accounts: r.accounts };
    });
  }
}
