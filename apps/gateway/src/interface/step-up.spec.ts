import { status } from '@grpc/grpc-js';
import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { lastValueFrom, throwError } from 'rxjs';
import { newContext, RemoteCallError } from '@emporia/platform';
import type { userV1 } from '@emporia/contracts';
import type { Principal, UserBackend } from '../application/ports';
import { ProblemError, toProblem } from './problem';
import { StepUpGate, StepUpInterceptor, steppedUpRecently } from './step-up';

const NOW_MS = Date.parse('2026-12-05T10:00:00Z');
const NOW_S = NOW_MS / 1000;

const details = (over: Partial<userV1.AccountDetails> = {}): userV1.AccountDetails => ({
  account: undefined,
  profile: undefined,
  consents: [],
  mfaEnabled: false,
  totpEnabled: false,
  smsMfaEnabled: false,
  passkeyCount: 0,
  recoveryCodesLeft: 0,
  ...over,
});

/** The user service's two calls the gate makes, answering `account` and `ways`. */
function users(account: userV1.AccountDetails, ways?: userV1.BeginStepUpResponse | Error) {
  const calls: string[] = [];
  const backend = {
    getAccount: async () => {
      calls.push('getAccount');
      return { details: account };
    },
    beginStepUp: async (_ctx: unknown, req: userV1.BeginStepUpRequest) => {
      calls.push(`beginStepUp:${req.sessionId}`);
      if (ways instanceof Error) throw ways;
      return (
        ways ?? { methods: ['TOTP', 'RECOVERY_CODE'], passkeyOptionsJson: '', maskedPhone: '' }
      );
    },
  } as unknown as UserBackend;
  return { backend, calls };
}

const me = (secondFactorAt?: number): Principal => ({
  accountId: '0190a000-0000-7000-8000-0000000000aa',
  roles: ['customer'],
  sessionId: '0190a000-0000-7000-8000-0000000000bb',
  ...(secondFactorAt === undefined ? {} : { secondFactorAt }),
});

const gate = (backend: UserBackend, windowSeconds = 300) => {
  const g = new StepUpGate(backend, { windowSeconds });
  g.now = () => NOW_MS;
  return g;
};

describe('step-up at the gateway', () => {
  it.each([
    ['never', undefined, false],
    ['just now', NOW_S, true],
    ['299.9 s ago', NOW_S - 299.9, true],
    ['exactly the window ago', NOW_S - 300, false],
    ['longer ago', NOW_S - 3600, false],
    ['3 s ahead (clocks)', NOW_S + 3, true],
    ['an hour ahead', NOW_S + 3600, false],
  ])('a second factor proved %s is recent: %s', (_what, at, recent) => {
    expect(steppedUpRecently(at, NOW_MS, 300)).toBe(recent);
  });

  it('lets a recent step-up through without asking the user service', async () => {
    const u = users(details({ totpEnabled: true, mfaEnabled: true }));
    await gate(u.backend).requireRecent(newContext(), me(NOW_S - 10));
    expect(u.calls).toEqual([]);
  });

  it('lets an account without a second factor enrol one without a step-up', async () => {
    const u = users(details());
    await gate(u.backend).requireRecent(newContext(), me());
    expect(u.calls).toEqual(['getAccount']);
  });

  it.each([
    ['TOTP', { totpEnabled: true, mfaEnabled: true }],
    ['SMS codes', { smsMfaEnabled: true, mfaEnabled: true }],
    ['a passkey', { passkeyCount: 1 }],
  ])(
    'refuses an account with %s and a stale step-up: 403 STEP_UP_REQUIRED with its methods',
    async (_what, has) => {
      const u = users(details(has), {
        methods: ['TOTP', 'SMS', 'RECOVERY_CODE'],
        passkeyOptionsJson: '',
        maskedPhone: '+86138****8000',
      });
      const refused = await gate(u.backend)
        .requireRecent(newContext(), me(NOW_S - 301))
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ProblemError);
      expect(toProblem(refused).problem).toMatchObject({
        status: 403,
        code: 'STEP_UP_REQUIRED',
        methods: ['TOTP', 'SMS', 'RECOVERY_CODE'],
        maskedPhone: '+86138****8000',
        stepUp: '/v1/me/step-up',
      });
      expect(u.calls).toEqual(['getAccount', 'beginStepUp:0190a000-0000-7000-8000-0000000000bb']);
    },
  );

  it('still refuses when the methods cannot be read (GET /v1/me/step-up lists them)', async () => {
    const u = users(details({ totpEnabled: true }), new Error('user service down'));
    const refused = await gate(u.backend)
      .requireRecent(newContext(), me())
      .catch((e: unknown) => e);
    const { problem } = toProblem(refused);
    expect(problem).toMatchObject({ status: 403, code: 'STEP_UP_REQUIRED' });
    expect(problem).not.toHaveProperty('methods');
  });

  describe('StepUpInterceptor', () => {
    const context = (principal?: Principal) =>
      ({
        switchToHttp: () => ({ getRequest: () => ({ principal, emporiaCtx: newContext() }) }),
      }) as unknown as ExecutionContext;
    const failing = (e: unknown): CallHandler => ({ handle: () => throwError(() => e) });
    const stepUpRequired = (backend: string) =>
      new RemoteCallError(backend, {
        status: status.FAILED_PRECONDITION,
        code: 'STEP_UP_REQUIRED',
        message: 'a large order to a new address needs a recent step-up',
        details: {},
      });

    it("answers a backend's STEP_UP_REQUIRED with 403 and the account's methods", async () => {
      const u = users(details({ smsMfaEnabled: true }), {
        methods: ['SMS'],
        passkeyOptionsJson: '',
        maskedPhone: '+86138****8000',
      });
      const interceptor = new StepUpInterceptor(gate(u.backend));
      const e = await lastValueFrom(
        interceptor.intercept(context(me()), failing(stepUpRequired('order'))),
      ).catch((err: unknown) => err);
      expect(toProblem(e).problem).toMatchObject({
        status: 403,
        code: 'STEP_UP_REQUIRED',
        methods: ['SMS'],
        maskedPhone: '+86138****8000',
        detail: expect.stringMatching(/^a large order to a new address needs a recent step-up; /),
      });
    });

    it('passes every other error on untouched', async () => {
      const u = users(details());
      const interceptor = new StepUpInterceptor(gate(u.backend));
      const other = new RemoteCallError('user', {
        status: status.ALREADY_EXISTS,
        code: 'EMAIL_TAKEN',
        message: 'taken',
        details: {},
      });
      await expect(
        lastValueFrom(interceptor.intercept(context(me()), failing(other))),
      ).rejects.toBe(other);
      expect(u.calls).toEqual([]);
    });
  });
});
