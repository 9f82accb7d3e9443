import type { riskV1 } from '@emporia/contracts';
import {
  counter,
  ThrottledWarning,
  withTimeout,
  type Logger,
  type RequestContext,
} from '@emporia/platform';
import type { LoginRiskPort } from '../application/ports';
import type { LoginRiskVerdict } from '../domain/login-risk';

const outcomes = counter(
  'emporia_login_risk_total',
  'Password sign-ins by risk outcome: allow, review, reject, or fail_open (risk down or slow: signed in unscored)',
  ['outcome'],
);

/** No risk service configured (RISK_GRPC_URL empty): sign-ins are not scored. */
export class UnscoredLoginRisk implements LoginRiskPort {
  async scoreLogin(): Promise<LoginRiskVerdict> {
    return { decision: 'ALLOW', score: 0, reasons: ['RISK_NOT_CONFIGURED'], degraded: false };
  }
}

type ScoreLogin = (
  ctx: RequestContext,
  req: riskV1.ScoreLoginRequest,
) => Promise<riskV1.ScoreLoginResponse>;

const DECISIONS: Record<string, LoginRiskVerdict['decision']> = {
  DECISION_ALLOW: 'ALLOW',
  DECISION_REVIEW: 'REVIEW',
  DECISION_REJECT: 'REJECT',
};

/** One warning per this interval while risk is failing, not one per sign-in. */
const WARN_INTERVAL_MS = 10_000;

export interface GrpcLoginRiskOptions {
  /**
   * The longest a sign-in waits for risk. The gRPC client has the same deadline; this bound
   * holds even if the call never settles.
   */
  deadlineMs: number;
  /** Counts an outcome (the Prometheus counter; replaced in tests). */
  count?: (outcome: 'allow' | 'review' | 'reject' | 'fail_open') => void;
  now?: () => number;
}

/**
 * Risk's ScoreLogin over gRPC with a short deadline. Fails open: when risk is down, slow or
 * answers nonsense, the sign-in goes ahead unscored (ALLOW, `degraded`), with a warning (at
 * most one per 10 s, saying how many were suppressed) and `outcome="fail_open"` counted. A
 * risk outage must not lock every customer out; the password, the login throttle, account
 * locks and MFA still hold, and checkout is scored again by the order service.
 */
export class GrpcLoginRisk implements LoginRiskPort {
  private readonly warning: ThrottledWarning;
  private readonly count: NonNullable<GrpcLoginRiskOptions['count']>;
  private readonly now: () => number;

  constructor(
    private readonly scoreLoginRpc: ScoreLogin,
    logger: Logger,
    private readonly options: GrpcLoginRiskOptions,
  ) {
    this.count = options.count ?? ((outcome) => outcomes.inc({ outcome }));
    this.now = options.now ?? Date.now;
    this.warning = new ThrottledWarning(logger, WARN_INTERVAL_MS, this.now);
  }

  async scoreLogin(
    ctx: RequestContext,
    input: { accountId: string; ip: string; deviceId: string },
  ): Promise<LoginRiskVerdict> {
    try {
      const res = await withTimeout(
        this.scoreLoginRpc(ctx, {
          accountId: input.accountId,
          ip: input.ip,
          deviceId: input.deviceId,
        }),
        this.options.deadlineMs,
      );
      const decision = DECISIONS[res.decision as unknown as string];
      if (!decision) throw new Error(`unknown decision ${String(res.decision)}`);
      this.count(decision === 'ALLOW' ? 'allow' : decision === 'REVIEW' ? 'review' : 'reject');
      return { decision, score: res.score, reasons: res.reasons, degraded: false };
    } catch (err) {
      this.count('fail_open');
      this.warn(err, input.accountId);
      return { decision: 'ALLOW', score: 0, reasons: ['RISK_UNAVAILABLE'], degraded: true };
    }
  }

  private warn(err: unknown, accountId: string): void {
    this.warning.warn(
      { err, accountId },
      'risk did not score a sign-in in time: allowed unscored (fail open)',
    );
  }
}
