import { riskV1, userV1 } from '@emporia/contracts';
import { Money } from '@emporia/money';
import { newContext, type Logger } from '@emporia/platform';
import type { RiskInput } from '../application/ports';
import { GrpcRisk } from './risk.adapters';
import { GrpcAccounts, type UserRpcs } from './user.adapters';

const input: RiskInput = {
  orderId: 'o1',
  accountId: 'u1',
  ip: '203.0.113.7',
  deviceId: 'd1',
  address: {
    recipient: '张伟',
    phone: '+8613800138000',
    country: 'CN',
    province: '浙江省',
    city: '杭州市',
    district: '西湖区',
    line1: '文三路 1 号',
    line2: '',
    postalCode: '310000',
  },
  addressIssues: [],
  total: Money.of(12_900, 'CNY'),
  lineCount: 1,
  couponCodes: [],
};
const logger = { warn: () => undefined } as unknown as Logger;

/** Issue 23: risk's fraud model is sent the account's age that checkout's GetAccount read. */
describe('risk adapter: the account creation time', () => {
  const setup = () => {
    const sent: riskV1.ScoreOrderRequest[] = [];
    const getAccount = jest.fn(async (): Promise<userV1.GetAccountResponse> => ({
      details: {
        account: {
          id: 'u1',
          email: 'a@example.com',
          phone: '',
          roles: [],
          status: userV1.AccountStatus.ACCOUNT_STATUS_ACTIVE,
          createdAt: '2025-03-01T08:00:00.000Z',
        },
        profile: undefined,
        consents: [],
        mfaEnabled: false,
        totpEnabled: false,
        smsMfaEnabled: false,
        passkeyCount: 0,
        recoveryCodesLeft: 0,
      },
    }));
    const accounts = new GrpcAccounts({ getAccount } as unknown as UserRpcs);
    const risk = new GrpcRisk(
      async (_ctx, req) => {
        sent.push(req);
        return {
          decision: riskV1.Decision.DECISION_ALLOW,
          score: 0,
          reasons: [],
          modelVersion: '',
        };
      },
      logger,
      (id) => accounts.createdAt(id),
    );
    return { sent, accounts, risk, getAccount };
  };

  it('sends the creation time the frozen check read, with no call of its own', async () => {
    const { sent, accounts, risk, getAccount } = setup();
    expect(await accounts.isFrozen(newContext(), 'u1')).toBe(false);
    await risk.scoreOrder(newContext(), input);
    expect(sent[0].accountCreatedAt).toBe('2025-03-01T08:00:00.000Z');
    expect(getAccount).toHaveBeenCalledTimes(1);
  });

  it('sends "" (unknown) for an account not read here', async () => {
    const { sent, risk } = setup();
    await risk.scoreOrder(newContext(), { ...input, accountId: 'u2' });
    expect(sent[0].accountCreatedAt).toBe('');
  });
});
