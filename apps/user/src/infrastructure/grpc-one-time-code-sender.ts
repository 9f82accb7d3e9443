import type { notificationV1 } from '@emporia/contracts';
import { withTimeout, type Logger, type RequestContext } from '@emporia/platform';
import { smsUnavailable } from '../application/send-sms-code.use-case';
import type { OneTimeCodeMessage, OneTimeCodeSender } from '../application/security.ports';

type SendOneTimeCode = (
  ctx: RequestContext,
  req: notificationV1.SendOneTimeCodeRequest,
) => Promise<notificationV1.SendOneTimeCodeResponse>;

/**
 * Codes through notification's SendOneTimeCode (gRPC, `NOTIFICATION_GRPC_URL`) with a bounded
 * wait: the client's deadline, and this bound should the call never settle. Any failure (down,
 * slow, the provider refused) is UNAVAILABLE SMS_UNAVAILABLE: the code did not go out. The code
 * itself is never logged.
 */
export class GrpcOneTimeCodeSender implements OneTimeCodeSender {
  readonly configured = true;

  constructor(
    private readonly rpc: SendOneTimeCode,
    private readonly logger: Logger,
    private readonly deadlineMs: number,
  ) {}

  async send(ctx: RequestContext, m: OneTimeCodeMessage): Promise<void> {
    try {
      await withTimeout(
        this.rpc(ctx, {
          accountId: m.accountId,
          phone: m.phone,
          code: m.code,
          purpose: m.purpose,
          locale: m.locale,
          validMinutes: m.validMinutes,
        }),
        this.deadlineMs,
      );
    } catch (err) {
      this.logger.warn(
        { err: err instanceof Error ? err.message : String(err), purpose: m.purpose },
        'an SMS code could not be sent through notification',
      );
      throw smsUnavailable();
    }
  }
}

/** No notification service configured: SendSmsCode answers SMS_UNAVAILABLE, never pretends. */
export class UnconfiguredOneTimeCodeSender implements OneTimeCodeSender {
  readonly configured = false;

  async send(): Promise<void> {
    throw smsUnavailable('SMS codes are not available: no notification service is configured');
  }
}
