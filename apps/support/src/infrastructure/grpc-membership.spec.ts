import { status } from '@grpc/grpc-js';
import { createLogger, newContext } from '@emporia/platform';
import { GrpcMembership, type UserRpcs } from './grpc-membership';

const unavailable = Object.assign(new Error('14 UNAVAILABLE: no connection'), {
  code: status.UNAVAILABLE,
});

describe('GrpcMembership', () => {
  const logger = createLogger('support-test', 'silent');
  const ctx = newContext();

  it('reads the tier and the display name', async () => {
    const rpc: UserRpcs = {
      getMembership: async (_c, { accountId }) => ({
        membership: {
          accountId,
          tierCode: 'GOLD',
          tierName: 'Gold',
          rollingSpend: undefined,
          pointsBalance: 0,
          lots: [],
        },
      }),
      getAccount: async () => ({
        details: {
          account: undefined,
          profile: { displayName: 'Li Lei', birthday: '', avatarUrl: '', locale: 'zh-CN' },
          consents: [],
          mfaEnabled: false,
          totpEnabled: false,
          smsMfaEnabled: false,
          passkeyCount: 0,
          recoveryCodesLeft: 0,
        },
      }),
    };
    const m = new GrpcMembership(rpc, logger);
    expect(await m.tierOf(ctx, 'a')).toBe('GOLD');
    expect(await m.nameOf(ctx, 'a')).toBe('Li Lei');
  });

  it('fails open: user unavailable is no tier and no name, never an error', async () => {
    const rpc: UserRpcs = {
      getMembership: () => Promise.reject(unavailable),
      getAccount: () => Promise.reject(unavailable),
    };
    const m = new GrpcMembership(rpc, logger);
    expect(await m.tierOf(ctx, 'a')).toBe('');
    expect(await m.nameOf(ctx, 'a')).toBe('');
  });
});
