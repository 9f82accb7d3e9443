import 'reflect-metadata';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { status as GrpcStatus } from '@grpc/grpc-js';
import pino from 'pino';
import { grpcService } from '@emporia/contracts';
import type { RunningService } from './bootstrap';
import { contextFromTraceparent, type RequestContext } from './context';
import { grpcClient } from './grpc-client';
import { freePort, startRiskTestServer } from './risk-test-server';

interface ScoreResponse {
  decision: string;
  score: number;
  reasons: string[];
}
interface RiskApi {
  scoreLogin(ctx: RequestContext, req: { accountId: string }): Promise<ScoreResponse>;
  scoreOrder(ctx: RequestContext, req: { orderId: string }): Promise<ScoreResponse>;
}

/** One replica of a service: its answers say which replica it is. */
async function replica(name: string, port: number): Promise<RunningService> {
  @Controller()
  class ReplicaController {
    @GrpcMethod('RiskService', 'scoreLogin')
    scoreLogin(): ScoreResponse {
      return { decision: 'DECISION_ALLOW', score: 0, reasons: [name] };
    }

    /** A slow call (300 ms), to be in flight when the replica stops. */
    @GrpcMethod('RiskService', 'scoreOrder')
    async scoreOrder(): Promise<ScoreResponse> {
      await new Promise((r) => setTimeout(r, 300));
      return { decision: 'DECISION_ALLOW', score: 1, reasons: [name] };
    }
  }
  return startRiskTestServer({
    logger: pino({ level: 'silent' }),
    controllers: [ReplicaController],
    port,
  });
}

describe('a gRPC client of a backend running as several replicas', () => {
  const ports: number[] = [];
  const running = new Map<string, RunningService>();
  let api: RiskApi;
  let close: () => void;

  /** Who answered `n` calls made one after another (none may fail). */
  const answers = async (n: number) => {
    const by: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const res = await api.scoreLogin(contextFromTraceparent(), { accountId: `a${i}` });
      by[res.reasons[0]] = (by[res.reasons[0]] ?? 0) + 1;
    }
    return by;
  };

  beforeAll(async () => {
    ports.push(await freePort(), await freePort());
    running.set('a', await replica('a', ports[0]));
    running.set('b', await replica('b', ports[1]));
    const c = grpcClient<RiskApi>({
      name: 'risk',
      ...grpcService('risk'),
      url: ports.map((p) => `127.0.0.1:${p}`).join(','),
      deadlineMs: 5000,
    });
    api = c.api;
    close = () => c.client.close();
  });

  afterAll(async () => {
    close?.();
    for (const r of running.values()) await r.close();
  });

  it('spreads calls over every replica of the list, round robin', async () => {
    await answers(2); // both connect
    expect(await answers(20)).toEqual({ a: 10, b: 10 });
  });

  it('sends every call to the replicas left when one stops, and again to it once it is back', async () => {
    await running.get('a')!.close();
    running.delete('a');
    expect(await answers(20)).toEqual({ b: 20 });

    running.set('a', await replica('a', ports[0]));
    // the channel tries the stopped address again at most ~0.6 s apart (GRPC_CHANNEL_SETTINGS)
    const deadline = Date.now() + 5000;
    let by: Record<string, number> = {};
    while (Date.now() < deadline && !by.a) by = await answers(4);
    expect(by.a).toBeGreaterThan(0);
    expect(await answers(20)).toEqual({ a: 10, b: 10 });
  });

  it('a stopping replica finishes the calls in flight; the next ones go elsewhere', async () => {
    const inFlight = api.scoreOrder(contextFromTraceparent(), { orderId: 'o1' });
    await new Promise((r) => setTimeout(r, 50));
    const stopping = Promise.all([...running.values()].map((r) => r.close()));
    running.clear();
    await expect(inFlight).resolves.toMatchObject({ score: 1 });
    await stopping;
    await expect(
      api.scoreLogin(contextFromTraceparent(), { accountId: 'late' }),
    ).rejects.toMatchObject({
      remote: { status: GrpcStatus.UNAVAILABLE },
    });
  });
});
