import './support/node-typed-arrays';
import { randomUUID } from 'node:crypto';
import { PROTO_FILES, riskV1 } from '@emporia/contracts';
import type { RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  freePort,
  grpcTestClient,
  testEnv,
  testLogger,
  uniqueSuffix,
  grpcFailure,
} from '@emporia/testing';
import { riskConfigSchema } from '../src/config';
import { startRisk } from '../src/risk.app';

jest.setTimeout(120_000);

const HOUR = 3600_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

/** ScoreReview (issue 17 brushing checks) on real Postgres and Redis, with the seeded rules. */
describe('risk ScoreReview (real Postgres + Redis)', () => {
  const suffix = uniqueSuffix();
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const failure = grpcFailure;
  const rand = () => Math.floor(Math.random() * 250);
  /** A review from an old account, delivered three days ago, each value its own by default. */
  const review = (over: Partial<riskV1.ScoreReviewRequest> = {}) => ({
    reviewId: randomUUID(),
    accountId: randomUUID(),
    deviceId: `dev-${randomUUID()}`,
    ip: `10.${rand()}.${rand()}.${rand()}`,
    addressFingerprint: `cn|zj|hz|xh|${randomUUID()}|`,
    productId: randomUUID(),
    deliveredAt: ago(72 * HOUR),
    accountCreatedAt: ago(400 * 24 * HOUR),
    rating: 5,
    photoCount: 1,
    ...over,
  });
  const score = (req: riskV1.ScoreReviewRequest) =>
    call<riskV1.ScoreReviewResponse>('scoreReview', req);
  const audit = async (subjectId: string) =>
    (
      await call<riskV1.ListDecisionsResponse>('listDecisions', {
        subjectId,
        accountId: '',
        limit: 10,
      })
    ).decisions;

  beforeAll(async () => {
    db = await createTestDatabase('risk_reviews_it');
    const config = riskConfigSchema.parse({
      RISK_DATABASE_URL: db.url,
      REDIS_URL: testEnv.redisUrl(),
      REDIS_KEY_PREFIX: `risk:${suffix}:`,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: `riskrev${suffix}.`,
      RISK_GRPC_PORT: String(await freePort()),
      RISK_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      RISK_MIGRATE_ON_START: 'true',
      RISK_CONSUMER_GROUP: `risk-rev-it${suffix}`,
    });
    service = await startRisk(config, testLogger('risk'));
    client = grpcTestClient(PROTO_FILES.risk, 'emporia.risk.v1.RiskService', service.grpcUrl!);
  });

  afterAll(async () => {
    client?.close();
    await service?.close();
    await db?.drop();
  });

  it('seeds the review rules, listed by ListRules', async () => {
    const { rules } = await call<riskV1.ListRulesResponse>('listRules', {});
    const forReviews = rules.filter((r) => r.appliesTo === 'REVIEW');
    expect(forReviews.map((r) => [r.kind, r.dimension || r.listKind, r.action])).toEqual([
      ['LIST_MATCH', 'ACCOUNT', 'REJECT'],
      ['LIST_MATCH', 'DEVICE', 'REJECT'],
      ['LIST_MATCH', 'IP', 'REJECT'],
      ['VELOCITY', 'DEVICE', 'REVIEW'],
      ['VELOCITY', 'ADDRESS', 'REVIEW'],
      ['VELOCITY', 'IP', 'REVIEW'],
      ['NEW_ACCOUNT', '', 'REVIEW'],
      ['BULK_AFTER_DELIVERY', '', 'REVIEW'],
    ]);
    expect(forReviews.find((r) => r.kind === 'BULK_AFTER_DELIVERY')).toMatchObject({
      windowSeconds: 3600,
      threshold: 5,
      deliveryWindowSeconds: 7200,
    });
  });

  it('holds the 5th review from one device in a day; retries answer the first decision and count once', async () => {
    const deviceId = `dev-${randomUUID()}`;
    const reqs = Array.from({ length: 6 }, () => review({ deviceId }));
    const first = [];
    for (const r of reqs.slice(0, 4)) first.push((await score(r)).decision);
    expect(first).toEqual(Array(4).fill('DECISION_ALLOW'));
    // the 2nd review retried: its first answer, not a 5th review from the device
    expect((await score({ ...reqs[1], accountCreatedAt: ago(HOUR) })).decision).toBe(
      'DECISION_ALLOW',
    );
    expect(await score(reqs[4])).toEqual({
      decision: 'DECISION_REVIEW',
      score: 50,
      reasons: ['VELOCITY_DEVICE'],
    });
    await score(reqs[4]);
    const sixth = await score(reqs[5]);
    expect(sixth.reasons).toEqual(['VELOCITY_DEVICE']);
    const [row] = await audit(reqs[5].reviewId);
    expect(row).toMatchObject({ kind: 'REVIEW', decision: 'DECISION_REVIEW' });
    expect(JSON.parse(row.signalsJson)).toMatchObject({
      counts: { 'reviews:DEVICE:86400': 6 },
      productId: reqs[5].productId,
      photoCount: 1,
    });
    expect(await audit(reqs[1].reviewId)).toHaveLength(1);
  });

  it('holds a review from an account younger than 3 days', async () => {
    const young = await score(review({ accountCreatedAt: ago(2 * 24 * HOUR) }));
    expect(young).toMatchObject({ decision: 'DECISION_REVIEW', reasons: ['NEW_ACCOUNT'] });
    expect((await score(review({ accountCreatedAt: '' }))).decision).toBe('DECISION_ALLOW');
  });

  it('holds the 5th review by one account within the hour, each within 2 hours of delivery', async () => {
    const accountId = randomUUID();
    // a review written long after its delivery does not count towards the bulk
    expect((await score(review({ accountId, deliveredAt: ago(5 * HOUR) }))).decision).toBe(
      'DECISION_ALLOW',
    );
    const decisions = [];
    for (let i = 0; i < 5; i++)
      decisions.push((await score(review({ accountId, deliveredAt: ago(30 * 60_000) }))).reasons);
    expect(decisions).toEqual([[], [], [], [], ['BULK_AFTER_DELIVERY']]);
  });

  it('review rules are data: tuned with UpsertRule, bad ones refused; a listed device is rejected', async () => {
    const { rules } = await call<riskV1.ListRulesResponse>('listRules', {});
    const age = rules.find((r) => r.kind === 'NEW_ACCOUNT')!;
    const tenDays = review({ accountCreatedAt: ago(10 * 24 * HOUR) });
    expect((await score(tenDays)).decision).toBe('DECISION_ALLOW');
    await call('upsertRule', { rule: { ...age, windowSeconds: 30 * 86_400 } });
    expect((await score({ ...tenDays, reviewId: randomUUID() })).reasons).toEqual(['NEW_ACCOUNT']);
    await call('upsertRule', { rule: age });
    expect((await failure(call('upsertRule', { rule: { ...age, appliesTo: 'ORDER' } }))).code).toBe(
      'RULE_INVALID',
    );
    const deviceId = `dev-${randomUUID()}`;
    await call('addListEntries', {
      entries: [{ kind: 'DEVICE', value: deviceId, reason: 'review farm', addedAt: '' }],
    });
    expect(await score(review({ deviceId }))).toMatchObject({
      decision: 'DECISION_REJECT',
      reasons: ['LISTED_DEVICE'],
    });
  });

  it('refuses a bad review id, a missing account or a bad time', async () => {
    expect((await failure(score(review({ reviewId: 'r-1' })))).code).toBe('ID_INVALID');
    expect((await failure(score(review({ accountId: '' })))).code).toBe('SUBJECT_REQUIRED');
    expect((await failure(score(review({ deliveredAt: 'yesterday' })))).code).toBe(
      'TIMESTAMP_INVALID',
    );
  });
});
