import { riskV1 } from '@emporia/contracts';
import type { Logger, RequestContext } from '@emporia/platform';
import type { RiskInput, RiskPort } from '../application/ports';
import { addressFingerprint } from '@emporia/domain';
import type { RiskVerdict } from '../domain/order';

/** No risk service configured: every order is allowed, and says so in its reasons. */
export class UnscoredRisk implements RiskPort {
  async scoreOrder(): Promise<RiskVerdict> {
    return { decision: 'ALLOW', score: 0, reasons: ['RISK_NOT_CONFIGURED'], degraded: false };
  }
}

type ScoreOrder = (
  ctx: RequestContext,
  req: riskV1.ScoreOrderRequest,
) => Promise<riskV1.ScoreOrderResponse>;

const DECISIONS: Record<string, RiskVerdict['decision']> = {
  DECISION_ALLOW: 'ALLOW',
  DECISION_REVIEW: 'REVIEW',
  DECISION_REJECT: 'REJECT',
};

/**
 * Risk's ScoreOrder over gRPC with a short deadline (set on the client). Any failure — down,
 * slow, or an answer that makes no sense — holds the order for review instead of failing the
 * checkout: no order is lost to a risk outage, and none passes unscored. The account's creation
 * time (for risk's fraud model) is what checkout's own GetAccount already read
 * (`GrpcAccounts.createdAt`); unknown is sent as "".
 */
export class GrpcRisk implements RiskPort {
  constructor(
    private readonly scoreOrderRpc: ScoreOrder,
    private readonly logger: Logger,
    private readonly accountCreatedAt: (accountId: string) => Date | null = () => null,
  ) {}

  async scoreOrder(ctx: RequestContext, input: RiskInput): Promise<RiskVerdict> {
    try {
      const res = await this.scoreOrderRpc(ctx, {
        orderId: input.orderId,
        accountId: input.accountId,
        ip: input.ip,
        deviceId: input.deviceId,
        addressFingerprint: addressFingerprint(input.address),
        phone: input.address.phone,
        total: { amountMinor: input.total.amountMinor, currency: input.total.currency },
        lineCount: input.lineCount,
        couponCodes: input.couponCodes,
        addressIssues: input.addressIssues,
        accountCreatedAt: this.accountCreatedAt(input.accountId)?.toISOString() ?? '',
      });
      const decision = DECISIONS[res.decision as unknown as string];
      if (!decision) throw new Error(`unknown decision ${String(res.decision)}`);
      return { decision, score: res.score, reasons: res.reasons, degraded: false };
    } catch (err) {
      this.logger.warn(
        { err, orderId: input.orderId },
        'risk did not answer: the order is held for review',
      );
      return { decision: 'REVIEW', score: -1, reasons: ['RISK_UNAVAILABLE'], degraded: true };
    }
  }
}
