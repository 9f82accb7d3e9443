import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { assertNotDeleted } from '../domain/account';
import type { RefreshTokenFamily } from '../domain/refresh-token-family';
import { UserError } from '../domain/user-error';
import { CLOCK, type Clock, UNIT_OF_WORK, type UnitOfWork } from './ports';
import type { KnownDevice } from './security.ports';
import { endSession } from './sessions';

export interface SessionsAndDevices {
  /** Live sessions, most recently used first. */
  sessions: RefreshTokenFamily[];
  /** Devices, most recently seen first. */
  devices: KnownDevice[];
}

const sessionNotFound = () =>
  new UserError('NOT_FOUND', 'SESSION_NOT_FOUND', 'this account has no such session');

/**
 * The account's sessions (refresh-token families) and devices (known logins): listing them,
 * ending one session, forgetting a device (its sessions end; its next sign-in is a new device
 * again, with the new-device notice). Each end revokes the access tokens issued in the session
 * (the gateway's revocation list) and tells the owner (`SecurityChanged`).
 */
@Injectable()
export class ManageSessionsUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  list(ctx: RequestContext, accountId: string): Promise<SessionsAndDevices> {
    const now = this.clock.now();
    return this.uow.read(ctx, async (tx) => {
      assertNotDeleted(await tx.accounts.findById(accountId), accountId);
      return {
        sessions: await tx.families.listLive(accountId, now),
        devices: await tx.security.devices(accountId, now),
      };
    });
  }

  /**
   * Ends one session of the account (also the calling one: that is a sign-out). Idempotent: a
   * session of the account that already ended is fine; another account's is SESSION_NOT_FOUND.
   */
  revoke(ctx: RequestContext, accountId: string, sessionId: string): Promise<void> {
    const now = this.clock.now();
    return this.uow.run(ctx, async (tx) => {
      assertNotDeleted(await tx.accounts.lock(accountId), accountId);
      const session = await tx.families.findById(sessionId, true);
      if (!session || session.userId !== accountId) throw sessionNotFound();
      if (session.revokedAt) return;
      await endSession(tx, session, 'REVOKED_BY_USER', now);
      tx.events.securityChanged(accountId, 'SESSION_REVOKED', now, {
        detail: session.client.deviceName,
      });
    });
  }

  /** Ends every live session of the device and forgets it; how many sessions ended. */
  forgetDevice(ctx: RequestContext, accountId: string, deviceId: string): Promise<number> {
    const now = this.clock.now();
    const id = (deviceId ?? '').slice(0, 200);
    if (!id) throw new UserError('INVALID_ARGUMENT', 'DEVICE_ID_REQUIRED', 'name the device');
    return this.uow.run(ctx, async (tx) => {
      assertNotDeleted(await tx.accounts.lock(accountId), accountId);
      const devices = await tx.security.devices(accountId, now);
      const sessions = (await tx.families.listLive(accountId, now)).filter(
        (s) => s.client.deviceId === id,
      );
      const forgotten = await tx.security.forgetDevice(accountId, id);
      if (!forgotten && sessions.length === 0)
        throw new UserError('NOT_FOUND', 'DEVICE_NOT_FOUND', 'this account has no such device');
      for (const s of sessions) await endSession(tx, s, 'DEVICE_FORGOTTEN', now);
      tx.events.securityChanged(accountId, 'DEVICE_FORGOTTEN', now, {
        detail: devices.find((d) => d.deviceId === id)?.name ?? '',
      });
      return sessions.length;
    });
  }
}
