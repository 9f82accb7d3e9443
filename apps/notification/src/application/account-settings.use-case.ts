import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { invalid } from '../domain/notification-error';
import {
  applyPreferencesUpdate,
  defaultPreferences,
  withoutMarketingEmail,
  type Preferences,
  type PreferencesUpdate,
} from '../domain/preferences';
import {
  CLOCK,
  NOTIFICATION_SETTINGS,
  UNIT_OF_WORK,
  type Clock,
  type NotificationSettings,
  type PushDevice,
  type UnitOfWork,
} from './ports';
import { verifyUnsubscribeToken } from './signing';

export const PUSH_PLATFORMS = ['IOS', 'ANDROID', 'HARMONY'] as const;

/** A customer's preferences, quiet hours, push devices, and the unsubscribe link. */
@Injectable()
export class AccountSettingsUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettings,
  ) {}

  /** The saved preferences, or the defaults (nothing written). */
  getPreferences(ctx: RequestContext, accountId: string): Promise<Preferences> {
    return this.uow.run(ctx, (tx) => this.current(tx.preferences, accountId));
  }

  updatePreferences(
    ctx: RequestContext,
    accountId: string,
    update: PreferencesUpdate,
  ): Promise<Preferences> {
    return this.uow.run(ctx, async (tx) => {
      const next = applyPreferencesUpdate(
        await this.current(tx.preferences, accountId),
        update,
        this.settings.defaultTimeZone,
        this.clock.now(),
      );
      await tx.preferences.save(next);
      return next;
    });
  }

  async registerDevice(
    ctx: RequestContext,
    accountId: string,
    token: string,
    platform: string,
  ): Promise<PushDevice> {
    const t = token.trim();
    if (!/^[\x21-\x7e]{8,512}$/.test(t))
      throw invalid('PUSH_DEVICE_INVALID', 'token must be 8-512 printable characters', 'token');
    if (!(PUSH_PLATFORMS as readonly string[]).includes(platform))
      throw invalid(
        'PUSH_DEVICE_INVALID',
        `platform must be one of ${PUSH_PLATFORMS.join(', ')}`,
        'platform',
      );
    const device: PushDevice = { accountId, token: t, platform, registeredAt: this.clock.now() };
    return this.uow.run(ctx, async (tx) => {
      await tx.devices.upsert(device);
      return device;
    });
  }

  /** Idempotent: removing a token the account does not have is not an error. */
  async removeDevice(ctx: RequestContext, accountId: string, token: string): Promise<void> {
    await this.uow.run(ctx, (tx) => tx.devices.remove(accountId, token));
  }

  listDevices(ctx: RequestContext, accountId: string): Promise<PushDevice[]> {
    return this.uow.run(ctx, (tx) => tx.devices.list(accountId));
  }

  /**
   * The unsubscribe link (no sign-in: the signed token is the proof): marketing e-mail off.
   * Idempotent; a token that does not verify is UNSUBSCRIBE_TOKEN_INVALID.
   */
  async unsubscribe(ctx: RequestContext, token: string): Promise<Preferences> {
    const verified = verifyUnsubscribeToken(this.settings.unsubscribeSecret, token);
    if (!verified)
      throw invalid('UNSUBSCRIBE_TOKEN_INVALID', 'the unsubscribe link is not valid', 'token');
    return this.uow.run(ctx, async (tx) => {
      const current = await this.current(tx.preferences, verified.accountId);
      if (current.updatedAt && !current.channels.MARKETING.email) return current;
      const next = withoutMarketingEmail(current, this.clock.now());
      await tx.preferences.save(next);
      return next;
    });
  }

  private async current(
    repo: { get(id: string): Promise<Preferences | null> },
    accountId: string,
  ): Promise<Preferences> {
    return (
      (await repo.get(accountId)) ?? defaultPreferences(accountId, this.settings.defaultTimeZone)
    );
  }
}
