import 'reflect-metadata';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { Writable } from 'node:stream';
import pino from 'pino';
import { grpcService } from '@emporia/contracts';
import type { RunningService } from './bootstrap';
import { contextFromTraceparent, currentContext, type RequestContext } from './context';
import { AppError } from './errors';
import { grpcClient } from './grpc-client';
import { metricsRegistry } from './metrics';
import { freePort, startRiskTestServer } from './risk-test-server';
import { rawUnary, type AnyRawUnaryMethod } from './raw-grpc';

interface ScoreRequest {
  orderId?: string;
  accountId: string;
  ip: string;
}
interface ScoreResponse {
  decision: string;
  score: number;
  reasons: string[];
}
interface RiskApi {
  scoreOrder(ctx: RequestContext, req: Partial<ScoreRequest>): Promise<ScoreResponse>;
  scoreLogin(ctx: RequestContext, req: Partial<ScoreRequest>): Promise<ScoreResponse>;
  scoreReview(ctx: RequestContext, req: object): Promise<ScoreResponse>;
}

@Controller()
class NestRiskController {
  @GrpcMethod('RiskService', 'scoreLogin')
  scoreLogin(): ScoreResponse {
    return { decision: 'DECISION_ALLOW', score: 1, reasons: ['nest'] };
  }

  @GrpcMethod('RiskService', 'scoreOrder')
  scoreOrder(): ScoreResponse {
    return { decision: 'DECISION_ALLOW', score: 2, reasons: ['nest, replaced by the raw one'] };
  }
}

const TRACE = '0af7651916cd43dd8448eb211c80319c';

describe('raw gRPC handlers (startService grpc.raw)', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info', mixin: () => ({ trace: currentContext()?.traceId }) },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        cb();
      },
    }),
  );
  const seen: { ctx: RequestContext; current?: RequestContext; req: ScoreRequest }[] = [];
  const raws: AnyRawUnaryMethod[] = [
    rawUnary<ScoreRequest, ScoreResponse>('RiskService', 'ScoreOrder', async (req, ctx) => {
      seen.push({ ctx, current: currentContext(), req });
      await new Promise((r) => setImmediate(r));
      if (req.orderId === 'coded')
        throw new AppError('FAILED_PRECONDITION', 'ORDER_ODD', 'odd order', { n: 1 });
      if (req.orderId === 'bug') throw new Error('secret internals');
      return { decision: 'DECISION_REVIEW', score: 42, reasons: [`raw ${req.accountId}`] };
    }),
    // camelCased name, synchronous throw, an RPC no controller serves
    rawUnary<object, ScoreResponse>('RiskService', 'scoreReview', () => {
      throw new AppError('NOT_FOUND', 'REVIEW_NOT_FOUND', 'no such review');
    }),
  ];
  let service: RunningService;
  let api: RiskApi;
  let client: { close(): void };

  const start = async (methods: AnyRawUnaryMethod[]) =>
    startRiskTestServer({
      logger,
      controllers: [NestRiskController],
      port: await freePort(),
      raw: () => methods,
    });

  beforeAll(async () => {
    service = await start(raws);
    const port = Number(/:(\d+)$/.exec(service.grpcUrl ?? '')?.[1]);
    expect(port).toBeGreaterThan(0);
    const c = grpcClient<RiskApi>({
      name: 'risk',
      ...grpcService('risk'),
      url: `127.0.0.1:${port}`,
      deadlineMs: 5000,
    });
    api = c.api;
    client = c.client;
  });

  afterAll(async () => {
    client?.close();
    await service?.close();
  });

  it('answers the named RPC with the raw handler, in the caller’s trace, and leaves the others to Nest', async () => {
    const ctx = contextFromTraceparent(`00-${TRACE}-b7ad6b7169203331-01`);
    await expect(api.scoreOrder(ctx, { orderId: 'o1', accountId: 'a1', ip: '' })).resolves.toEqual({
      decision: 'DECISION_REVIEW',
      score: 42,
      reasons: ['raw a1'],
      modelVersion: '', // proto3's default, decoded as any client sees it
    });
    const call = seen.at(-1);
    expect(call?.req).toMatchObject({ orderId: 'o1', accountId: 'a1', ip: '' });
    expect(call?.ctx.traceId).toBe(TRACE);
    expect(call?.ctx.spanId).not.toBe('b7ad6b7169203331');
    expect(call?.current).toBe(call?.ctx);
    await expect(api.scoreLogin(ctx, { accountId: 'a1' })).resolves.toMatchObject({
      score: 1,
      reasons: ['nest'],
    });
  });

  it('maps a coded error to its status and code, without logging it', async () => {
    const before = lines.length;
    await expect(
      api.scoreOrder(contextFromTraceparent(), { orderId: 'coded', accountId: 'a' }),
    ).rejects.toMatchObject({
      remote: {
        status: GrpcStatus.FAILED_PRECONDITION,
        code: 'ORDER_ODD',
        message: 'odd order',
        details: { n: 1 },
      },
    });
    await expect(api.scoreReview(contextFromTraceparent(), {})).rejects.toMatchObject({
      remote: { status: GrpcStatus.NOT_FOUND, code: 'REVIEW_NOT_FOUND' },
    });
    expect(lines.slice(before).filter((l) => l.level === 50)).toEqual([]);
  });

  it('answers INTERNAL for an uncoded error, saying nothing of it, and logs it in the trace', async () => {
    const ctx = contextFromTraceparent(`00-${TRACE}-b7ad6b7169203331-01`);
    await expect(api.scoreOrder(ctx, { orderId: 'bug', accountId: 'a' })).rejects.toMatchObject({
      remote: { status: GrpcStatus.INTERNAL, code: 'INTERNAL', message: 'internal error' },
    });
    const logged = lines.find((l) => l.msg === 'unhandled error in gRPC handler');
    expect(logged).toMatchObject({ level: 50, trace: TRACE });
    expect(JSON.stringify(logged)).toContain('secret internals');
  });

  it('counts the calls and their times by method and status, the Nest handlers’ too', async () => {
    await api.scoreLogin(contextFromTraceparent(), { accountId: 'counted' });
    await api.scoreReview(contextFromTraceparent(), {}).catch(() => undefined);
    const text = await metricsRegistry.metrics();
    expect(text).toMatch(
      /emporia_grpc_server_handled_total\{service="RiskService",method="ScoreLogin",code="0"\} [1-9]/,
    );
    expect(text).toMatch(
      /emporia_grpc_server_handled_total\{service="RiskService",method="ScoreOrder",code="0"\} [1-9]/,
    );
    expect(text).toMatch(
      /emporia_grpc_server_handled_total\{service="RiskService",method="ScoreOrder",code="13"\} [1-9]/,
    );
    expect(text).toMatch(
      /emporia_grpc_server_handling_seconds_count\{service="RiskService",method="ScoreOrder"\} [1-9]/,
    );
    // a raw method named camelCased is counted under the RPC's proto name, as Nest's are
    expect(text).toMatch(
      /emporia_grpc_server_handled_total\{service="RiskService",method="ScoreReview",code="5"\} [1-9]/,
    );
    expect(text).not.toMatch(/method="scoreReview"/);
  });

  it('refuses to start with a raw handler for an RPC the server does not serve', async () => {
    await expect(
      start([rawUnary('RiskService', 'NoSuchRpc', () => ({})), ...raws]),
    ).rejects.toThrow(/RiskService\.NoSuchRpc/);
  });
});
