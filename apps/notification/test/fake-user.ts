import { status } from '@grpc/grpc-js';
import { grpcError, startFakeGrpc } from '@emporia/testing';

export interface FakeAccount {
  id: string;
  email?: string;
  phone?: string;
  locale?: string;
  consents?: string[];
}

export interface FakeUser {
  url: string;
  accounts: Map<string, FakeAccount>;
  /** While true every call is UNAVAILABLE, as a user service that is down. */
  down: boolean;
  calls: number;
  stop(): Promise<void>;
}

/**
 * The user service at its gRPC boundary (GetAccount only), from the contract's proto file: the
 * accounts the test adds; NOT_FOUND for others; UNAVAILABLE while `down`.
 */
export async function startFakeUser(): Promise<FakeUser> {
  const fake = { accounts: new Map<string, FakeAccount>(), down: false, calls: 0 };
  const server = await startFakeGrpc('user', {
    getAccount: (request: { accountId: string }) => {
      fake.calls++;
      if (fake.down) throw grpcError(status.UNAVAILABLE, 'UNAVAILABLE');
      const a = fake.accounts.get(request.accountId);
      if (!a) throw grpcError(status.NOT_FOUND, 'ACCOUNT_NOT_FOUND');
      return {
        details: {
          account: {
            id: a.id,
            email: a.email ?? '',
            phone: a.phone ?? '',
            roles: ['customer'],
            status: 'ACCOUNT_STATUS_ACTIVE',
            createdAt: '2030-01-01T00:00:00Z',
          },
          profile: { displayName: 'Li', birthday: '', avatarUrl: '', locale: a.locale ?? '' },
          consents: (a.consents ?? []).map((purpose) => ({
            purpose,
            granted: true,
            updatedAt: '2030-01-01T00:00:00Z',
          })),
          mfaEnabled: false,
        },
      };
    },
  });
  return Object.assign(fake, { url: server.url, stop: () => server.stop() });
}
