import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { catchError, from, type Observable } from 'rxjs';
import { newContext, RemoteCallError, type RequestContext } from '@emporia/platform';
import type { userV1 } from '@emporia/contracts';
import { type Principal, USER_BACKEND, type UserBackend } from '../application/ports';
import { ProblemError } from './problem';

/** The stable code of a refusal for want of a recent step-up (the user and order services'). */
export const STEP_UP_REQUIRED = 'STEP_UP_REQUIRED';

export const STEP_UP_SETTINGS = Symbol('STEP_UP_SETTINGS');
export interface StepUpSettings {
  /** How recent the token's `mfa_at` must be (`STEP_UP_WINDOW_SECONDS`, the user service's too). */
  windowSeconds: number;
}
export const DEFAULT_STEP_UP_SETTINGS: StepUpSettings = { windowSeconds: 300 };

/** A token's `mfa_at` up to this far in the future (the user service's clock ahead) counts as now. */
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Whether a second factor proved at `secondFactorAt` (epoch seconds, the token's `mfa_at`) is
 * recent at `nowMs`: less than `windowSeconds` ago (exactly the window is too old, as the user
 * service counts it).
 */
export function steppedUpRecently(
  secondFactorAt: number | undefined,
  nowMs: number,
  windowSeconds: number,
): boolean {
  if (secondFactorAt === undefined) return false;
  const age = nowMs / 1000 - secondFactorAt;
  return age >= -CLOCK_TOLERANCE_SECONDS && age < windowSeconds;
}

/** The account has a second factor to step up with (TOTP, SMS codes or a passkey). */
export const hasSecondFactor = (d: userV1.AccountDetails | undefined): boolean =>
  !!d && (d.mfaEnabled || d.totpEnabled || d.smsMfaEnabled || d.passkeyCount > 0);

const STEP_UP_DETAIL =
  'confirm it is you first: step up (GET /v1/me/step-up lists the ways, POST /v1/me/step-up answers a new access token), then send the request again with that token';

/**
 * Step-up for the gateway's routes. The user service guards its own sensitive changes (password,
 * e-mail, phone, SMS codes, passkeys: FAILED_PRECONDITION STEP_UP_REQUIRED); order guards large
 * orders to new addresses. Two older routes of the user service take no session (TOTP enrolment
 * and turning MFA off), so the gateway guards them itself (`requireRecent`). Every refusal is
 * answered alike (`refusal`): `403` problem+json, code STEP_UP_REQUIRED, with the methods the
 * account can step up with.
 */
@Injectable()
export class StepUpGate {
  /** The clock (tests set it). */
  now: () => number = Date.now;

  constructor(
    @Inject(USER_BACKEND) private readonly users: UserBackend,
    @Inject(STEP_UP_SETTINGS) private readonly settings: StepUpSettings,
  ) {}

  /**
   * Passes when the token proved a second factor within the window, or when the account has
   * none (a first factor being enrolled needs no step-up); else throws the 403 refusal. The
   * token answers the usual case without a call; only a stale one asks the user service whether
   * the account has a second factor (GetAccount).
   */
  async requireRecent(ctx: RequestContext, me: Principal): Promise<void> {
    if (steppedUpRecently(me.secondFactorAt, this.now(), this.settings.windowSeconds)) return;
    const { details } = await this.users.getAccount(ctx, { accountId: me.accountId });
    if (!hasSecondFactor(details)) return;
    throw await this.refusal(
      ctx,
      me,
      `this needs a step-up within the last ${this.settings.windowSeconds} s; ${STEP_UP_DETAIL}`,
    );
  }

  /**
   * The 403 STEP_UP_REQUIRED problem, with the ways the account can step up (`methods`: TOTP,
   * SMS, PASSKEY, RECOVERY_CODE, or PASSWORD for an account without a second factor; `maskedPhone`
   * for SMS) from the user service's BeginStepUp. When that cannot be asked, the problem goes
   * without them (GET /v1/me/step-up lists them).
   */
  async refusal(ctx: RequestContext, me: Principal, detail: string): Promise<ProblemError> {
    let ways: { methods: string[]; maskedPhone: string | null } | undefined;
    try {
      const r = await this.users.beginStepUp(ctx, {
        accountId: me.accountId,
        sessionId: me.sessionId ?? '',
      });
      ways = { methods: r.methods, maskedPhone: r.maskedPhone || null };
    } catch {
      ways = undefined;
    }
    return new ProblemError(403, STEP_UP_REQUIRED, detail, undefined, undefined, {
      ...(ways ?? {}),
      stepUp: '/v1/me/step-up',
    });
  }
}

/** Whether an error is a backend's STEP_UP_REQUIRED. */
export const isStepUpRequired = (e: unknown): e is RemoteCallError =>
  e instanceof RemoteCallError && e.remote.code === STEP_UP_REQUIRED;

/**
 * Turns a backend's STEP_UP_REQUIRED (the user service's FAILED_PRECONDITION, order's for a large
 * order to a new address) into the gateway's 403 with the account's step-up methods.
 */
@Injectable()
export class StepUpInterceptor implements NestInterceptor {
  constructor(private readonly gate: StepUpGate) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    return next.handle().pipe(
      catchError((e: unknown) => {
        if (!isStepUpRequired(e) || !req.principal) throw e;
        const detail = `${e.remote.message.replace(/[.;:\s]+$/, '')}; ${STEP_UP_DETAIL}`;
        return from(
          this.gate.refusal(req.emporiaCtx ?? newContext(), req.principal, detail).then((p) => {
            throw p;
          }),
        );
      }),
    );
  }
}

/**
 * A route that may need a recent step-up: documents its `403 STEP_UP_REQUIRED` (and `others`,
 * the route's other 403 codes) and answers a backend's STEP_UP_REQUIRED with the account's
 * methods (StepUpInterceptor). Put it above `@ApiProblems(403…)`: its description wins.
 */
export const NeedsStepUp = (others: readonly string[] = []) =>
  applyDecorators(
    UseInterceptors(StepUpInterceptor),
    ApiResponse({
      status: 403,
      description: `RFC 9457 problem details; code ${[STEP_UP_REQUIRED, ...others].join(', ')}. STEP_UP_REQUIRED: confirm it is you first (no second factor proved in this session within the step-up window). The problem lists \`methods\` (TOTP, SMS, PASSKEY, RECOVERY_CODE, or PASSWORD for an account without a second factor) and \`maskedPhone\` when it could ask the user service (else GET /v1/me/step-up does); step up with POST /v1/me/step-up and send the request again with the new access token`,
      content: {
        'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemView' } },
      },
    }),
  );
