import { status as GrpcStatus } from '@grpc/grpc-js';
import { riskV1 } from '@emporia/contracts';
import { newContext, RemoteCallError, type Logger } from '@emporia/platform';
import { GrpcLoginRisk, UnscoredLoginRisk } from './login-risk.adapters';

const input = {
  accountId: '0190a000-0000-7000-8000-0000000000b1',
  ip: '203.0.113.7',
  deviceId: 'd1',
};
const remote = (status: GrpcStatus, code: string) =>
  new RemoteCallError('risk', { status, code, message: code.toLowerCase(), details: {} });

function setup(rpc: () => Promise<riskV1.ScoreLoginResponse>, deadlineMs = 50) {
  const counted: string[] = [];
  const warnings: unknown[][] = [];
  const logger = { warn: (...a: unknown[]) => warnings.push(a) } as unknown as Logger;
  let clock = 0;
  const requests: riskV1.ScoreLoginRequest[] = [];
  const risk = new GrpcLoginRisk(
    async (_ctx, req) => {
      requests.push(req);
      return rpc();
    },
    logger,
    { deadlineMs, count: (o) => counted.push(o), now: () => clock },
  );
  return {
    risk,
    counted,
    warnings,
    requests,
    advance: (ms: number) => (clock += ms),
    score: () => risk.scoreLogin(newContext(), input),
  };
}

describe('login risk over gRPC', () => {
  it.each<[riskV1.Decision, 'ALLOW' | 'REVIEW' | 'REJECT', string]>([
    [riskV1.Decision.DECISION_ALLOW, 'ALLOW', 'allow'],
    [riskV1.Decision.DECISION_REVIEW, 'REVIEW', 'review'],
    [riskV1.Decision.DECISION_REJECT, 'REJECT', 'reject'],
  ])("passes risk's %s on as %s and counts it", async (decision, expected, outcome) => {
    const t = setup(async () => ({ decision, score: 40, reasons: ['LOGIN_VELOCITY_IP'] }));
    await expect(t.score()).resolves.toEqual({
      decision: expected,
      score: 40,
      reasons: ['LOGIN_VELOCITY_IP'],
      degraded: false,
    });
    expect(t.requests).toEqual([input]);
    expect(t.counted).toEqual([outcome]);
    expect(t.warnings).toHaveLength(0);
  });

  it.each<[string, () => Promise<riskV1.ScoreLoginResponse>]>([
    ['down', () => Promise.reject(remote(GrpcStatus.UNAVAILABLE, 'UNAVAILABLE'))],
    [
      'past its gRPC deadline',
      () => Promise.reject(remote(GrpcStatus.DEADLINE_EXCEEDED, 'DEADLINE_EXCEEDED')),
    ],
    ['failing inside', () => Promise.reject(remote(GrpcStatus.INTERNAL, 'INTERNAL'))],
    [
      'answering nonsense',
      async () => ({ decision: riskV1.Decision.DECISION_UNSPECIFIED, score: 0, reasons: [] }),
    ],
    ['never answering', () => new Promise<never>(() => undefined)],
  ])('fails open when risk is %s: allowed, unscored, counted and logged', async (_label, rpc) => {
    const t = setup(rpc);
    const started = Date.now();
    await expect(t.score()).resolves.toEqual({
      decision: 'ALLOW',
      score: 0,
      reasons: ['RISK_UNAVAILABLE'],
      degraded: true,
    });
    // bounded: the adapter's own timer, even when the call never settles
    expect(Date.now() - started).toBeLessThan(1000);
    expect(t.counted).toEqual(['fail_open']);
    expect(t.warnings).toHaveLength(1);
    expect(t.warnings[0][1]).toMatch(/fail open/);
  });

  it('warns once per 10 s while risk is failing, saying how many it suppressed', async () => {
    const t = setup(() => Promise.reject(remote(GrpcStatus.UNAVAILABLE, 'UNAVAILABLE')));
    for (let i = 0; i < 5; i++) await t.score();
    t.advance(9_999);
    await t.score();
    expect(t.warnings).toHaveLength(1);
    t.advance(1);
    await t.score();
    expect(t.warnings).toHaveLength(2);
    expect(t.warnings[1][0]).toMatchObject({ suppressed: 5 });
    expect(t.counted).toEqual(Array(7).fill('fail_open'));
  });

  it('without a risk service, allows and says so', async () => {
    await expect(new UnscoredLoginRisk().scoreLogin()).resolves.toEqual({
      decision: 'ALLOW',
      score: 0,
      reasons: ['RISK_NOT_CONFIGURED'],
      degraded: false,
    });
  });
});
