import type {
  AudienceRequest,
  CustomerStore,
  ExportedAudience,
  RetentionCounts,
  RfmResult,
} from '../application/customers.ports';
import {
  isRfmSegment,
  lifecycleStage,
  LIFECYCLE_STAGES,
  scoreRfm,
  type Buyer,
  type LifecycleSettings,
  type LifecycleStage,
  type RfmSegment,
} from '../domain/customers';

/** A buyer as the fake keeps it: the aggregates plus the months it paid in. */
export interface FakeBuyer extends Buyer {
  paidMonths: string[];
  deleted?: boolean;
}

export interface RecordedAudience extends ExportedAudience {
  requestedBy: string;
  idempotencyKey: string;
  parts: { part: number; partCount: number; accountIds: string[] }[];
}

/**
 * The customer store in memory, computing with the domain functions (the SQL adapter computes
 * the same in Postgres): buyers are the accounts given, minus deleted ones.
 */
export class InMemoryCustomerStore implements CustomerStore {
  buyers: FakeBuyer[] = [];
  currency = 'CNY';
  audiences: RecordedAudience[] = [];

  private live() {
    return this.buyers.filter((b) => !b.deleted && b.paidOrders > 0);
  }

  async retention(fromMonth: string, toMonth: string): Promise<RetentionCounts> {
    const live = this.live();
    const cells = new Map<string, { cohort: string; month: string; accounts: number }>();
    for (const b of live) {
      const cohort = [...b.paidMonths].sort()[0];
      if ((fromMonth && cohort < fromMonth) || (toMonth && cohort > toMonth)) continue;
      for (const month of new Set(b.paidMonths)) {
        const key = `${cohort}/${month}`;
        const cell = cells.get(key) ?? { cohort, month, accounts: 0 };
        cell.accounts++;
        cells.set(key, cell);
      }
    }
    return {
      buyers: live.length,
      repeatBuyers: live.filter((b) => b.paidOrders >= 2).length,
      cells: [...cells.values()],
    };
  }

  async lifecycle(now: Date, s: LifecycleSettings): Promise<Record<LifecycleStage, number>> {
    const out = Object.fromEntries(LIFECYCLE_STAGES.map((st) => [st, 0])) as Record<
      LifecycleStage,
      number
    >;
    for (const b of this.live()) out[lifecycleStage(b, now, s)]++;
    return out;
  }

  async rfm(now: Date, segment: RfmSegment | null, limit: number): Promise<RfmResult> {
    const scored = scoreRfm(this.live(), now).filter((s) => !segment || s.segment === segment);
    const totals = new Map<RfmSegment, { accounts: number; monetaryMinor: number }>();
    for (const s of scored) {
      const t = totals.get(s.segment) ?? { accounts: 0, monetaryMinor: 0 };
      t.accounts++;
      t.monetaryMinor += s.spentMinor;
      totals.set(s.segment, t);
    }
    return {
      segments: [...totals.entries()].map(([seg, t]) => ({ segment: seg, ...t })),
      accounts: scored.slice(0, limit),
      currency: this.live().length ? this.currency : '',
    };
  }

  async exportAudience(req: AudienceRequest): Promise<ExportedAudience | 'EMPTY'> {
    const existing = this.audiences.find((a) => a.idempotencyKey === req.idempotencyKey);
    if (existing) return existing;
    const members = isRfmSegment(req.segment)
      ? scoreRfm(this.live(), req.now)
          .filter((s) => s.segment === req.segment)
          .map((s) => s.accountId)
      : this.live()
          .filter((b) => lifecycleStage(b, req.now, req.settings) === req.segment)
          .map((b) => b.accountId)
          .sort();
    if (!members.length) return 'EMPTY';
    const partCount = Math.ceil(members.length / req.partSize);
    const audience: RecordedAudience = {
      audienceId: req.id,
      accounts: members.length,
      segment: req.segment,
      couponTemplateId: req.couponTemplateId,
      requestedBy: req.requestedBy,
      idempotencyKey: req.idempotencyKey,
      parts: Array.from({ length: partCount }, (_, i) => ({
        part: i + 1,
        partCount,
        accountIds: members.slice(i * req.partSize, (i + 1) * req.partSize),
      })),
    };
    this.audiences.push(audience);
    return audience;
  }
}
