import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import Negotiator from 'negotiator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '@emporia/platform';
import {
  NOTIFICATION_BACKEND,
  type NotificationBackend,
  type Principal,
} from '../application/ports';
import { ApiProblemCodes } from './api-problems';
import { Auth, Caller } from './auth.guard';
import {
  CHANNELS,
  DeliveriesQuery,
  DeliveryPage,
  DeliveryView,
  MyNotificationPage,
  NOTIFICATION_LOCALES,
  NotificationTemplateList,
  NotificationTemplateView,
  OneClickUnsubscribeDto,
  PreferencesDto,
  PreferencesView,
  PUSH_TOKEN,
  PushDeviceDto,
  PushDeviceList,
  PushDeviceView,
  ReceiptDto,
  TEMPLATE_KEY,
  TemplateDto,
  TemplatesQuery,
  UnsubscribedView,
  UnsubscribeQuery,
} from './dto/notification.dto';
import { PageQuery } from './dto/query.dto';
import { FORM_TYPES, FormBody } from './form-body';
import { cursorOf } from './mappers';
import {
  channelToProto,
  deliveryStatusToProto,
  deliveryView,
  myNotificationView,
  notificationTemplateView,
  preferencesToProto,
  preferencesView,
  pushDeviceView,
} from './notification-mappers';
import { nameParam, patternParam } from './path-params';
import { ProblemError } from './problem';
import { RateLimit } from './rate-limit.guard';
import { Ctx } from './request-context';
import { uuidParam } from './uuid-param';

/** The notification service's input codes (its README lists what each means). */
const PREFERENCES_INPUT = ['PREFERENCES_INVALID', 'TIME_ZONE_INVALID', 'QUIET_HOURS_INVALID'];
const pushTokenParam = patternParam(
  'token',
  PUSH_TOKEN,
  "8-512 letters, digits, ':', '.', '_' or '-'",
);
const templateKeyParam = patternParam(
  'key',
  TEMPLATE_KEY,
  "a template key such as order.shipped: 1-64 lower-case letters, digits, '.', '_' or '-'",
);
const channelParam = patternParam(
  'channel',
  new RegExp(`^(${CHANNELS.join('|')})$`),
  'EMAIL, SMS or PUSH',
);
const localeParam = patternParam(
  'locale',
  new RegExp(`^(${NOTIFICATION_LOCALES.join('|')})$`),
  'zh-CN or en',
);

/**
 * The signed-in customer's notification settings and delivery log. The account is always the
 * token's (a body naming one is a 400); the log is the service's customer view: recipients
 * masked, no other account's lines, no provider bookkeeping.
 */
@ApiTags('notifications')
@Auth()
@Controller('v1/me')
export class MeNotificationsHttpController {
  constructor(@Inject(NOTIFICATION_BACKEND) private readonly notifications: NotificationBackend) {}

  @Get('notification-preferences')
  @ApiOkResponse({ type: PreferencesView, description: 'the defaults until first changed' })
  @ApiProblemCodes({})
  async preferences(@Ctx() ctx: RequestContext, @Caller() me: Principal): Promise<PreferencesView> {
    const r = await this.notifications.getPreferences(ctx, { accountId: me.accountId });
    return preferencesView(r.preferences!);
  }

  @Put('notification-preferences')
  @ApiOkResponse({ type: PreferencesView, description: 'the preferences after the change' })
  @ApiProblemCodes({ 400: PREFERENCES_INPUT })
  async setPreferences(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: PreferencesDto,
  ): Promise<PreferencesView> {
    const r = await this.notifications.updatePreferences(ctx, {
      accountId: me.accountId,
      preferences: preferencesToProto(me.accountId, body),
    });
    return preferencesView(r.preferences!);
  }

  @Get('push-devices')
  @ApiOkResponse({ type: PushDeviceList })
  @ApiProblemCodes({})
  async devices(@Ctx() ctx: RequestContext, @Caller() me: Principal): Promise<PushDeviceList> {
    const r = await this.notifications.listPushDevices(ctx, { accountId: me.accountId });
    return { items: r.devices.map(pushDeviceView) };
  }

  @Post('push-devices')
  @ApiCreatedResponse({
    type: PushDeviceView,
    description: 'registered (registering the same token again moves it to this account)',
  })
  @ApiProblemCodes({ 400: ['PUSH_DEVICE_INVALID'] })
  async register(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: PushDeviceDto,
  ): Promise<PushDeviceView> {
    const r = await this.notifications.registerPushDevice(ctx, {
      accountId: me.accountId,
      token: body.token,
      platform: body.platform,
    });
    return pushDeviceView(r.device!);
  }

  @Delete('push-devices/:token')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'removed (or was not registered to this account)' })
  @ApiProblemCodes({ 400: ['PUSH_DEVICE_INVALID'] })
  async remove(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('token', pushTokenParam) token: string,
  ): Promise<void> {
    await this.notifications.removePushDevice(ctx, { accountId: me.accountId, token });
  }

  @Get('notifications')
  @ApiOkResponse({ type: MyNotificationPage, description: 'my delivery log, newest first' })
  @ApiProblemCodes({ 400: ['INVALID_CURSOR'] })
  async log(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Query() q: PageQuery,
  ): Promise<MyNotificationPage> {
    const r = await this.notifications.listDeliveries(ctx, {
      accountId: me.accountId,
      customerView: true,
      status: deliveryStatusToProto(undefined),
      channel: channelToProto(undefined),
      eventId: '',
      pageSize: q.limit ?? 0,
      pageToken: q.cursor ?? '',
    });
    return {
      items: r.deliveries.map(myNotificationView),
      nextCursor: cursorOf(r.nextPageToken),
    };
  }
}

const UNSUBSCRIBED: UnsubscribedView = {
  unsubscribed: true,
  detail: 'marketing e-mail is off for this account',
};

/**
 * The confirmation page for a person who opened the link in a mail program: static text (nothing
 * of the request is echoed), no script or style, so the API's `default-src 'none'` policy holds.
 */
const UNSUBSCRIBED_HTML = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>已退订 · Unsubscribed</title></head>
<body><h1>已退订营销邮件</h1><p>您将不再收到 Emporia 的营销邮件；订单和售后通知不受影响。</p>
<h1>You are unsubscribed</h1><p>You will no longer receive marketing e-mail from Emporia. Order and service messages still arrive.</p>
</body></html>
`;

/** Whether the caller prefers HTML (a browser following a mail link) to JSON. */
export const wantsHtml = (accept: string | undefined): boolean =>
  accept !== undefined &&
  new Negotiator({ headers: { accept } }).mediaType(['application/json', 'text/html']) ===
    'text/html';

/**
 * Public notification routes: the unsubscribe link of marketing mail (a signed token, no
 * sign-in) and the providers' signed delivery receipts. Both are rate-limited per address; the
 * notification service checks the token and the signature.
 */
@ApiTags('notifications')
@ApiExtraModels(UnsubscribedView, OneClickUnsubscribeDto)
@Controller('v1/notifications')
export class NotificationsHttpController {
  constructor(@Inject(NOTIFICATION_BACKEND) private readonly notifications: NotificationBackend) {}

  @Get('unsubscribe')
  @RateLimit('unsubscribe')
  @ApiProduces('application/json', 'text/html')
  @ApiOkResponse({
    description:
      'marketing e-mail is off (again, if it already was). A browser (Accept preferring text/html) gets a short bilingual confirmation page, anything else JSON.',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(UnsubscribedView) } },
      'text/html': { schema: { type: 'string' } },
    },
  })
  @ApiProblemCodes({ 400: ['UNSUBSCRIBE_TOKEN_INVALID'] })
  async unsubscribeLink(
    @Ctx() ctx: RequestContext,
    @Query() q: UnsubscribeQuery,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UnsubscribedView | string> {
    await this.notifications.unsubscribe(ctx, { token: q.token });
    void reply.header('cache-control', 'no-store').header('vary', 'Accept');
    if (!wantsHtml(req.headers.accept)) return UNSUBSCRIBED;
    void reply.header('content-type', 'text/html; charset=utf-8');
    return UNSUBSCRIBED_HTML;
  }

  @Post('unsubscribe')
  @FormBody()
  @RateLimit('unsubscribe')
  @HttpCode(200)
  @ApiConsumes(...FORM_TYPES)
  @ApiBody({
    required: true,
    description: 'RFC 8058 one-click: the form field List-Unsubscribe=One-Click',
    schema: { $ref: getSchemaPath(OneClickUnsubscribeDto) },
  })
  @ApiOkResponse({ type: UnsubscribedView, description: 'marketing e-mail is off' })
  @ApiProblemCodes({ 400: ['UNSUBSCRIBE_TOKEN_INVALID', 'MALFORMED_FORM'] })
  async oneClick(
    @Ctx() ctx: RequestContext,
    @Query() q: UnsubscribeQuery,
    @Body() _form: OneClickUnsubscribeDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UnsubscribedView> {
    await this.notifications.unsubscribe(ctx, { token: q.token });
    void reply.header('cache-control', 'no-store');
    return UNSUBSCRIBED;
  }

  @Post('receipts/:provider')
  @RateLimit('receipts')
  @HttpCode(204)
  @ApiHeader({
    name: 'X-Signature',
    required: true,
    description:
      'hex HMAC-SHA256 of "provider|providerMessageId|status|occurredAt|errorCode" under the provider\'s secret (NOTIFICATION_SANDBOX_SECRET for the sandbox); checked by the notification service',
  })
  @ApiNoContentResponse({ description: 'recorded (a repeated receipt changes nothing)' })
  @ApiProblemCodes({
    400: ['RECEIPT_INVALID'],
    401: ['SIGNATURE_REQUIRED'],
    403: ['RECEIPT_SIGNATURE_INVALID'],
    404: ['RECEIPT_UNKNOWN'],
    422: ['DELIVERY_NOT_SENT'],
  })
  async receipt(
    @Ctx() ctx: RequestContext,
    @Param('provider', nameParam('provider')) provider: string,
    @Body() body: ReceiptDto,
    @Req() req: FastifyRequest,
  ): Promise<void> {
    const signature = req.headers['x-signature'];
    if (typeof signature !== 'string' || !/^[0-9a-fA-F]{64}$/.test(signature))
      throw new ProblemError(
        401,
        'SIGNATURE_REQUIRED',
        'a receipt needs its X-Signature header: the hex HMAC-SHA256 of the receipt',
      );
    await this.notifications.recordReceipt(ctx, {
      provider,
      providerMessageId: body.providerMessageId,
      status: body.status,
      occurredAt: body.occurredAt,
      errorCode: body.errorCode ?? '',
      signature: signature.toLowerCase(),
    });
  }
}

/** Operators' view of notifications: the whole delivery log, retrying dead letters, templates. */
@ApiTags('notifications admin')
@Auth('operator')
@Controller('v1/admin')
export class NotificationAdminHttpController {
  constructor(@Inject(NOTIFICATION_BACKEND) private readonly notifications: NotificationBackend) {}

  @Get('notifications/deliveries')
  @ApiOkResponse({ type: DeliveryPage, description: 'newest first, filtered as asked' })
  @ApiProblemCodes({ 400: ['INVALID_CURSOR'] })
  async deliveries(@Ctx() ctx: RequestContext, @Query() q: DeliveriesQuery): Promise<DeliveryPage> {
    const r = await this.notifications.listDeliveries(ctx, {
      accountId: q.accountId ?? '',
      customerView: false,
      status: deliveryStatusToProto(q.status),
      channel: channelToProto(q.channel),
      eventId: q.eventId ?? '',
      pageSize: q.limit ?? 0,
      pageToken: q.cursor ?? '',
    });
    return { items: r.deliveries.map(deliveryView), nextCursor: cursorOf(r.nextPageToken) };
  }

  @Post('notifications/deliveries/:id/retry')
  @HttpCode(200)
  @ApiOkResponse({ type: DeliveryView, description: 'the dead letter, pending again' })
  @ApiProblemCodes({ 404: ['DELIVERY_NOT_FOUND'], 422: ['DELIVERY_NOT_DEAD'] })
  async retry(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<DeliveryView> {
    const r = await this.notifications.retryDelivery(ctx, {
      deliveryId: id,
      operatorId: me.accountId,
    });
    return deliveryView(r.delivery!);
  }

  @Get('notification-templates')
  @ApiOkResponse({ type: NotificationTemplateList })
  @ApiProblemCodes({ 404: ['TEMPLATE_NOT_FOUND'] })
  async templates(
    @Ctx() ctx: RequestContext,
    @Query() q: TemplatesQuery,
  ): Promise<NotificationTemplateList> {
    const r = await this.notifications.listTemplates(ctx, { key: q.key ?? '' });
    return { items: r.templates.map(notificationTemplateView) };
  }

  @Put('notification-templates/:key/:channel/:locale')
  @ApiOkResponse({ type: NotificationTemplateView, description: 'the template after the change' })
  @ApiProblemCodes({ 400: ['TEMPLATE_INVALID'], 404: ['TEMPLATE_NOT_FOUND'] })
  async putTemplate(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('key', templateKeyParam) key: string,
    @Param('channel', channelParam) channel: string,
    @Param('locale', localeParam) locale: string,
    @Body() body: TemplateDto,
  ): Promise<NotificationTemplateView> {
    const r = await this.notifications.updateTemplate(ctx, {
      template: {
        key,
        channel: channelToProto(channel),
        locale,
        subject: body.subject ?? '',
        body: body.body,
        variables: [],
        updatedAt: '',
      },
      operatorId: me.accountId,
    });
    return notificationTemplateView(r.template!);
  }
}
