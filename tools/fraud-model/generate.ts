/**
 * Labelled training data for the fraud model (issue 23): simulated activity (simulation.ts)
 * replayed, in time order, through risk's own scoring — `RiskUseCase.scoreOrder` on the
 * in-memory signal, list and return-history stores (the same keys, members and windows as Redis
 * and Postgres; `test/fraud-signals.int-spec.ts` holds them to it) with the rules the migrations
 * seed. Each order's features are the vector `scoreOrder` hands the model (captured by a model
 * that only listens), so training rows and served rows come from one function; its decision is
 * what the default rules alone decide, for the lift comparison.
 *
 *   node -r @swc-node/register tools/fraud-model/generate.ts [--seed 23] [--out <csv>]
 *
 * Writes a CSV: order_id, at, split (train: the first 75 % of the labelled period; test: the
 * rest), pattern, label, rules_decision, rules_score, rules_reasons, then FRAUD_FEATURES in order.
 * Orders of the warm-up (which fills the counters and histories) are not written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Money } from '@emporia/money';
// risk's own scoring code and in-memory stores: the training rows are what it computes
/* eslint-disable no-restricted-imports -- the service's code is the point: one feature function */
import { FraudScoring } from '../../apps/risk/src/application/fraud-scoring';
import type { FraudModel, StoredDecision } from '../../apps/risk/src/application/ports';
import { ReturnHistoryUseCase } from '../../apps/risk/src/application/return-history.use-case';
import { RiskUseCase } from '../../apps/risk/src/application/risk.use-case';
import { FRAUD_FEATURES } from '../../apps/risk/src/domain/fraud-features';
import { seededRules } from '../../apps/risk/src/infrastructure/migrations/seeded-rules';
import {
  InMemoryReturnFactStore,
  InMemoryRiskStore,
  InMemorySignalStore,
} from '../../apps/risk/src/testing';
/* eslint-enable no-restricted-imports */
import type { RequestContext } from '@emporia/platform';
import { simulate, SIM, type OrderEvent } from './simulation';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};

/** A clock the replay moves to each event's time. */
class SimClock {
  t = 0;
  now = () => new Date(this.t);
}

/** Decisions are read once and not kept (the store's rows would hold every feature vector). */
class ReplayStore extends InMemoryRiskStore {
  override async recordDecision(d: StoredDecision): Promise<StoredDecision> {
    return d;
  }
}

/** A "model" that only takes the features `scoreOrder` computes; its score is never used. */
class ListeningModel implements FraudModel {
  last: number[] = [];
  readonly card = {
    version: 'listening',
    trainedAt: '',
    features: [...FRAUD_FEATURES],
    thresholdPerMille: 1000,
    report: {},
  };
  async predict(features: readonly number[]): Promise<number> {
    this.last = [...features];
    return 0;
  }
}

let ids = 0;
const sequentialIds = {
  newId: () => `0190c000-0000-7000-8000-${(++ids).toString(16).padStart(12, '0')}`,
};

async function main(): Promise<void> {
  const seed = Number(arg('seed', process.env.FRAUD_MODEL_SEED ?? '23'));
  const out = resolve(arg('out', '.local/fraud-model/orders.csv'));
  const started = Date.now();
  const { events, labelledFrom, listed } = simulate(seed);
  const labelledDays = SIM.labelledDays;
  const testFrom = labelledFrom + Math.round(labelledDays * 0.75) * 86_400_000;

  const clock = new SimClock();
  const store = new ReplayStore();
  const returns = new InMemoryReturnFactStore();
  const model = new ListeningModel();
  const risk = new RiskUseCase(
    store,
    new InMemorySignalStore(),
    clock,
    sequentialIds,
    returns,
    // the deadline is far: the listening model always answers
    new FraudScoring(model, { deadlineMs: 60_000 }),
  );
  const history = new ReturnHistoryUseCase(returns, clock);
  // the rules alone: every seeded order rule but MODEL_SCORE (which needs the model being trained)
  for (const r of seededRules())
    if (r.kind !== 'MODEL_SCORE') await store.upsertRule(r, new Date(0));
  clock.t = SIM.start;
  if (listed.devices.length)
    await risk.addEntries(
      listed.devices.map((value) => ({ kind: 'DEVICE', value, reason: 'sim' })),
    );
  if (listed.addresses.length)
    await risk.addEntries(
      listed.addresses.map((value) => ({ kind: 'ADDRESS', value, reason: 'sim' })),
    );

  const ctx = {} as RequestContext;
  const rows: string[] = [
    [
      'order_id',
      'at',
      'split',
      'pattern',
      'label',
      'rules_decision',
      'rules_score',
      'rules_reasons',
      ...FRAUD_FEATURES,
    ].join(','),
  ];
  const tally: Record<string, number> = {};
  for (const e of events) {
    clock.t = e.t;
    switch (e.type) {
      case 'ORDER': {
        const d = await score(risk, e);
        if (e.t < labelledFrom) break;
        const split = e.t < testFrom ? 'train' : 'test';
        const key = `${split}:${e.pattern}`;
        tally[key] = (tally[key] ?? 0) + 1;
        rows.push(
          [
            e.orderId,
            new Date(e.t).toISOString(),
            split,
            e.pattern,
            e.pattern === 'honest' ? 0 : 1,
            d.decision,
            d.score,
            d.reasons.join(';'),
            ...model.last,
          ].join(','),
        );
        break;
      }
      case 'LOGIN_ANOMALY':
        await risk.onLoginAnomaly(e.accountId, e.eventId, new Date(e.t));
        break;
      case 'DELIVERED':
        await history.onShipmentTracked(ctx, {
          shipmentId: e.shipmentId,
          accountId: e.accountId,
          status: 'DELIVERED',
          lineCount: e.lines,
          replacement: false,
          occurredAt: new Date(e.t),
        });
        break;
      case 'RETURN':
        await history.onReturnSettled(ctx, {
          returnId: e.returnId,
          accountId: e.accountId,
          kind: e.kind,
          lineCount: e.lines,
          itemsMismatch: e.mismatch,
          settledAt: new Date(e.t),
        });
        break;
      case 'CANCELLED':
        await history.onOrderCancelled(ctx, {
          orderId: e.orderId,
          accountId: e.accountId,
          cancelledAt: new Date(e.t),
        });
        break;
    }
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${rows.join('\n')}\n`);
  process.stdout.write(
    `${JSON.stringify({ seed, rows: rows.length - 1, out, byPattern: tally, seconds: (Date.now() - started) / 1000 })}\n`,
  );
}

/** One simulated order through risk's scoring, as checkout would send it. */
function score(risk: RiskUseCase, e: OrderEvent): Promise<StoredDecision> {
  return risk.scoreOrder({
    orderId: e.orderId,
    accountId: e.accountId,
    ip: e.ip,
    deviceId: e.deviceId,
    addressFingerprint: e.address,
    phone: '',
    total: Money.of(e.totalMinor, 'CNY'),
    couponCodes: e.coupons,
    addressIssues: e.addressIssues,
    lineCount: e.lineCount,
    accountCreatedAt: new Date(e.accountCreatedAt),
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
