import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { notificationV1 } from '@emporia/contracts';
import { UUID_RE } from '@emporia/domain';
import { withGrpcContext } from '@emporia/platform';
import { AccountSettingsUseCase } from '../application/account-settings.use-case';
import { OneTimeCodeUseCase } from '../application/one-time-code.use-case';
import { OperationsUseCase } from '../application/operations.use-case';
import { LOCALES, type Locale } from '../domain/channels';
import { invalid, notFound } from '../domain/notification-error';
import { isTemplateKey } from '../domain/template';
import {
  categoryFromProto,
  channelFromProto,
  deliveryToProto,
  deviceToProto,
  preferencesToProto,
  statusFromProto,
  templateToProto,
} from './notification.mappers';

const uuid = (field: string, v: string | undefined, code = 'ID_INVALID') => {
  if (!UUID_RE.test(v ?? '')) throw invalid(code, `${field} must be a UUID`, field);
  return v!.toLowerCase();
};

/** NotificationService over gRPC: checks the request's shape, calls a use case, maps the answer. */
@Controller()
@notificationV1.NotificationServiceControllerMethods()
export class NotificationGrpcController implements notificationV1.NotificationServiceController {
  constructor(
    private readonly settings: AccountSettingsUseCase,
    private readonly ops: OperationsUseCase,
    private readonly codes: OneTimeCodeUseCase,
  ) {}

  sendOneTimeCode(
    req: notificationV1.SendOneTimeCodeRequest,
    md?: Metadata,
  ): Promise<notificationV1.SendOneTimeCodeResponse> {
    return withGrpcContext(md, (ctx) =>
      this.codes.send(ctx, {
        accountId: req.accountId,
        phone: req.phone,
        code: req.code,
        purpose: req.purpose,
        locale: req.locale,
        validMinutes: req.validMinutes,
      }),
    );
  }

  listSandboxMessages(
    req: notificationV1.ListSandboxMessagesRequest,
    md?: Metadata,
  ): Promise<notificationV1.ListSandboxMessagesResponse> {
    return withGrpcContext(md, async () => ({
      messages: this.codes.sandboxMessages(req.phone ?? '', req.limit ?? 0).map((m) => ({
        to: m.to,
        body: m.body,
        sentAt: m.sentAt.toISOString(),
        providerMessageId: m.providerMessageId,
      })),
    }));
  }

  getPreferences(
    req: notificationV1.GetPreferencesRequest,
    md?: Metadata,
  ): Promise<notificationV1.GetPreferencesResponse> {
    return withGrpcContext(md, async (ctx) => ({
      preferences: preferencesToProto(
        await this.settings.getPreferences(ctx, uuid('account_id', req.accountId)),
      ),
    }));
  }

  updatePreferences(
    req: notificationV1.UpdatePreferencesRequest,
    md?: Metadata,
  ): Promise<notificationV1.UpdatePreferencesResponse> {
    return withGrpcContext(md, async (ctx) => {
      const p = req.preferences;
      const channels = (p?.channels ?? []).map((c, i) => ({
        category: categoryFromProto(c.category, `channels.${i}.category`) ?? '',
        email: c.email ?? false,
        sms: c.sms ?? false,
        push: c.push ?? false,
      }));
      const saved = await this.settings.updatePreferences(ctx, uuid('account_id', req.accountId), {
        channels,
        quietHoursStart: p?.quietHoursStart ?? '',
        quietHoursEnd: p?.quietHoursEnd ?? '',
        timeZone: p?.timeZone ?? '',
        locale: p?.locale ?? '',
      });
      return { preferences: preferencesToProto(saved) };
    });
  }

  registerPushDevice(
    req: notificationV1.RegisterPushDeviceRequest,
    md?: Metadata,
  ): Promise<notificationV1.RegisterPushDeviceResponse> {
    return withGrpcContext(md, async (ctx) => ({
      device: deviceToProto(
        await this.settings.registerDevice(
          ctx,
          uuid('account_id', req.accountId),
          req.token ?? '',
          req.platform ?? '',
        ),
      ),
    }));
  }

  removePushDevice(
    req: notificationV1.RemovePushDeviceRequest,
    md?: Metadata,
  ): Promise<notificationV1.RemovePushDeviceResponse> {
    return withGrpcContext(md, async (ctx) => {
      await this.settings.removeDevice(ctx, uuid('account_id', req.accountId), req.token ?? '');
      return {};
    });
  }

  listPushDevices(
    req: notificationV1.ListPushDevicesRequest,
    md?: Metadata,
  ): Promise<notificationV1.ListPushDevicesResponse> {
    return withGrpcContext(md, async (ctx) => ({
      devices: (await this.settings.listDevices(ctx, uuid('account_id', req.accountId))).map(
        deviceToProto,
      ),
    }));
  }

  listDeliveries(
    req: notificationV1.ListDeliveriesRequest,
    md?: Metadata,
  ): Promise<notificationV1.ListDeliveriesResponse> {
    return withGrpcContext(md, async (ctx) => {
      const customer = req.customerView ?? false;
      if (customer && !req.accountId)
        throw invalid('ID_INVALID', 'account_id is required in the customer view', 'account_id');
      const { deliveries, nextPageToken } = await this.ops.listDeliveries(
        ctx,
        {
          ...(req.accountId ? { accountId: uuid('account_id', req.accountId) } : {}),
          ...(statusFromProto(req.status) ? { status: statusFromProto(req.status)! } : {}),
          ...(channelFromProto(req.channel, 'DELIVERY_FILTER_INVALID')
            ? { channel: channelFromProto(req.channel, 'DELIVERY_FILTER_INVALID')! }
            : {}),
          ...(req.eventId ? { eventId: uuid('event_id', req.eventId) } : {}),
        },
        { size: req.pageSize ?? 0, token: req.pageToken ?? '' },
      );
      return {
        deliveries: deliveries.map((d) => deliveryToProto(d, customer)),
        nextPageToken,
      };
    });
  }

  retryDelivery(
    req: notificationV1.RetryDeliveryRequest,
    md?: Metadata,
  ): Promise<notificationV1.RetryDeliveryResponse> {
    return withGrpcContext(md, async (ctx) => ({
      delivery: deliveryToProto(
        await this.ops.retryDelivery(ctx, uuid('delivery_id', req.deliveryId)),
        false,
      ),
    }));
  }

  unsubscribe(
    req: notificationV1.UnsubscribeRequest,
    md?: Metadata,
  ): Promise<notificationV1.UnsubscribeResponse> {
    return withGrpcContext(md, async (ctx) => {
      const p = await this.settings.unsubscribe(ctx, req.token ?? '');
      return { accountId: p.accountId, preferences: preferencesToProto(p) };
    });
  }

  recordReceipt(
    req: notificationV1.RecordReceiptRequest,
    md?: Metadata,
  ): Promise<notificationV1.RecordReceiptResponse> {
    return withGrpcContext(md, async (ctx) => ({
      delivery: deliveryToProto(
        await this.ops.recordReceipt(
          ctx,
          {
            provider: req.provider ?? '',
            providerMessageId: req.providerMessageId ?? '',
            status: req.status ?? '',
            occurredAt: req.occurredAt ?? '',
            errorCode: req.errorCode ?? '',
          },
          req.signature ?? '',
        ),
        false,
      ),
    }));
  }

  listTemplates(
    req: notificationV1.ListTemplatesRequest,
    md?: Metadata,
  ): Promise<notificationV1.ListTemplatesResponse> {
    return withGrpcContext(md, async (ctx) => {
      const key = req.key ?? '';
      if (key && !isTemplateKey(key))
        throw notFound('TEMPLATE_NOT_FOUND', `no template key ${key}`);
      const templates = await this.ops.listTemplates(
        ctx,
        key && isTemplateKey(key) ? key : undefined,
      );
      return { templates: templates.map(templateToProto) };
    });
  }

  updateTemplate(
    req: notificationV1.UpdateTemplateRequest,
    md?: Metadata,
  ): Promise<notificationV1.UpdateTemplateResponse> {
    return withGrpcContext(md, async (ctx) => {
      const t = req.template;
      const key = t?.key ?? '';
      if (!isTemplateKey(key)) throw notFound('TEMPLATE_NOT_FOUND', `no template key ${key}`);
      const channel = channelFromProto(t?.channel, 'TEMPLATE_INVALID');
      if (!channel) throw invalid('TEMPLATE_INVALID', 'channel is required', 'channel');
      const locale = t?.locale ?? '';
      if (!(LOCALES as readonly string[]).includes(locale))
        throw invalid('TEMPLATE_INVALID', `locale must be one of ${LOCALES.join(', ')}`, 'locale');
      const saved = await this.ops.updateTemplate(
        ctx,
        { key, channel, locale: locale as Locale, subject: t?.subject ?? '', body: t?.body ?? '' },
        req.operatorId ?? '',
      );
      return { template: templateToProto(saved) };
    });
  }
}
