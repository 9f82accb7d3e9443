import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { analyticsV1 } from '@emporia/contracts';
import { withGrpcContext } from '@emporia/platform';
import { CollectionFigures } from '../application/collection-figures.use-case';
import { IngestBehaviourEvents } from '../application/ingest-behaviour-events.use-case';
import { aov, type KpiDay } from '../domain/figures';

const money = (amountMinor: number, currency: string) => ({ amountMinor, currency });

const kpiOut = (r: KpiDay): analyticsV1.KpiRow => ({
  day: r.day,
  channel: r.channel,
  gmv: money(r.gmvMinor, r.currency),
  orders: r.orders,
  paidOrders: r.paidOrders,
  aov: money(aov(r.gmvMinor, r.paidOrders), r.currency),
  units: r.units,
  refunds: money(r.refundsMinor, r.currency),
  newBuyers: r.newBuyers,
  returningBuyers: r.returningBuyers,
});

/**
 * The collection area over gRPC: IngestBehaviourEvents (the gateway's POST /v1/events) and the
 * operator figures GetKpis, GetFunnel, GetAttribution, ListAbandonedCarts.
 */
@Controller()
export class CollectionGrpcController {
  constructor(
    private readonly ingest: IngestBehaviourEvents,
    private readonly figures: CollectionFigures,
  ) {}

  @GrpcMethod('AnalyticsService', 'IngestBehaviourEvents')
  ingestBehaviourEvents(
    req: analyticsV1.IngestBehaviourEventsRequest,
    md?: Metadata,
  ): Promise<analyticsV1.IngestBehaviourEventsResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.ingest.execute(ctx, {
        events: req.events ?? [],
        receivedAt: req.receivedAt ?? '',
        accountId: req.accountId ?? '',
      });
      return { accepted: r.accepted, rejected: r.rejected };
    });
  }

  @GrpcMethod('AnalyticsService', 'GetKpis')
  getKpis(req: analyticsV1.GetKpisRequest, md?: Metadata): Promise<analyticsV1.GetKpisResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.figures.kpis(ctx, { range: req.range, channel: req.channel ?? '' });
      return { rows: r.rows.map(kpiOut), total: kpiOut(r.total) };
    });
  }

  @GrpcMethod('AnalyticsService', 'GetFunnel')
  getFunnel(
    req: analyticsV1.GetFunnelRequest,
    md?: Metadata,
  ): Promise<analyticsV1.GetFunnelResponse> {
    return withGrpcContext(md, async (ctx) => ({
      steps: await this.figures.funnel(ctx, {
        range: req.range,
        channel: req.channel ?? '',
        utmSource: req.utmSource ?? '',
        device: req.device ?? '',
      }),
    }));
  }

  @GrpcMethod('AnalyticsService', 'GetAttribution')
  getAttribution(
    req: analyticsV1.GetAttributionRequest,
    md?: Metadata,
  ): Promise<analyticsV1.GetAttributionResponse> {
    return withGrpcContext(md, async (ctx) => ({
      rows: (await this.figures.attribution(ctx, { range: req.range, model: req.model ?? '' })).map(
        (r) => ({
          utmSource: r.source,
          utmMedium: r.medium,
          utmCampaign: r.campaign,
          paidOrders: r.paidOrders,
          gmv: money(r.gmvMinor, r.currency),
        }),
      ),
    }));
  }

  @GrpcMethod('AnalyticsService', 'ListAbandonedCarts')
  listAbandonedCarts(
    req: analyticsV1.ListAbandonedCartsRequest,
    md?: Metadata,
  ): Promise<analyticsV1.ListAbandonedCartsResponse> {
    return withGrpcContext(md, async (ctx) => ({
      carts: (await this.figures.abandonedCarts(ctx, { limit: req.limit ?? 0 })).map((c) => ({
        accountId: c.accountId,
        cartUpdatedAt: c.cartUpdatedAt.toISOString(),
        abandonedAt: c.abandonedAt.toISOString(),
        items: c.items,
        subtotal: money(c.subtotalMinor, c.currency),
        recovered: c.recovered,
      })),
    }));
  }
}
