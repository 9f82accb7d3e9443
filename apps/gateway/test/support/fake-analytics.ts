import {
  loadPackageDefinition,
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_FILES, PROTO_ROOT, type analyticsV1 } from '@emporia/contracts';
import { ERROR_METADATA_KEY, grpcLoaderOptions } from '@emporia/platform';

type Callback = (err: unknown, res?: unknown) => void;

/**
 * A test double of the analytics service at its gRPC boundary, for the gateway's route-mapping
 * test only (the end-to-end suites run the real service): it records each request by method and
 * answers from the contract's messages. An event of type `bogus` is refused (field `type`);
 * experiment `missing` is NOT_FOUND `EXPERIMENT_NOT_FOUND`.
 */
export async function startFakeAnalytics(): Promise<{
  url: string;
  calls: Map<string, unknown[]>;
  stop: () => Promise<void>;
}> {
  const calls = new Map<string, unknown[]>();
  const record = (method: string, request: unknown) =>
    calls.set(method, [...(calls.get(method) ?? []), request]);
  const pkg = loadPackageDefinition(
    loadSync(PROTO_FILES.analytics, grpcLoaderOptions([PROTO_ROOT])),
  ) as unknown as {
    emporia: { analytics: { v1: { AnalyticsService: { service: ServiceDefinition } } } };
  };
  const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
  const answers: Record<string, (req: never) => unknown> = {
    ingestBehaviourEvents: (req: analyticsV1.IngestBehaviourEventsRequest) => {
      const rejected = req.events.flatMap((e, index) =>
        e.type === 'bogus'
          ? [
              {
                index,
                eventId: e.eventId,
                field: 'type',
                code: 'TYPE_UNKNOWN',
                detail: 'no such type',
              },
            ]
          : [],
      );
      return { accepted: req.events.length - rejected.length, rejected };
    },
    getKpis: (req: analyticsV1.GetKpisRequest) => {
      const row = {
        day: req.range!.fromDay,
        channel: 'web',
        gmv: cny(30000),
        orders: 4,
        paidOrders: 3,
        aov: cny(10000),
        units: 5,
        refunds: cny(0),
        newBuyers: 2,
        returningBuyers: 1,
      };
      return { rows: [row], total: { ...row, day: '' } };
    },
    getAssignments: (req: analyticsV1.GetAssignmentsRequest) => ({
      assignments: [{ experimentKey: 'button', variant: req.accountId ? 'account' : 'anonymous' }],
    }),
    getRecommendations: () => ({
      items: [{ productId: '0190a000-0000-7000-8000-000000000002', together: 7, score: 0.5 }],
    }),
    exportAudience: (req: analyticsV1.ExportAudienceRequest) => ({
      audienceId: `aud-${req.segment}`,
      accounts: 12,
    }),
    getExperimentResults: (req: analyticsV1.GetExperimentResultsRequest) => {
      const metadata = new Metadata();
      metadata.set(
        ERROR_METADATA_KEY,
        JSON.stringify({ code: 'EXPERIMENT_NOT_FOUND', details: { field: 'key' } }),
      );
      throw Object.assign(new Error(`no experiment ${req.key}`), {
        code: status.NOT_FOUND,
        details: `no experiment ${req.key}`,
        metadata,
      });
    },
    decidePriceSuggestion: (req: analyticsV1.DecidePriceSuggestionRequest) => ({
      suggestion: {
        id: req.id,
        skuId: '0190a000-0000-7000-8000-000000000003',
        currentPrice: cny(10000),
        suggestedPrice: cny(9000),
        reasons: ['days of supply 90 over the target 30'],
        elasticity: -1.5,
        daysOfSupply: 90,
        sellThrough: 0.1,
        status: req.decision === 'approve' ? 'APPROVED' : 'REJECTED',
        createdAt: '2026-11-11T00:00:00Z',
        decidedBy: req.decidedBy,
        decidedAt: '2026-11-11T01:00:00Z',
      },
    }),
  };
  const handlers: UntypedServiceImplementation = Object.fromEntries(
    Object.entries(answers).map(([method, answer]) => [
      method,
      ((call: { request: never }, cb: Callback) => {
        record(method, call.request);
        try {
          cb(null, answer(call.request));
        } catch (e) {
          cb(e);
        }
      }) as unknown as UntypedServiceImplementation[string],
    ]),
  );
  const server = new Server();
  server.addService(pkg.emporia.analytics.v1.AnalyticsService.service, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    url: `127.0.0.1:${port}`,
    calls,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
