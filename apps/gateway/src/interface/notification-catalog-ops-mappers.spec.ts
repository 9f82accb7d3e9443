import { catalogV1, notificationV1 } from '@emporia/contracts';
import {
  complianceAuditView,
  complianceReviewView,
  complianceStatusToProto,
  stockThresholdView,
  tagRuleToProto,
  tagRuleView,
} from './catalog-operations-mappers';
import { productAdminView, productView } from './mappers';
import {
  channelToProto,
  deliveryStatusToProto,
  deliveryView,
  myNotificationView,
  notificationTemplateView,
  preferencesToProto,
  preferencesView,
} from './notification-mappers';
import { wantsHtml } from './notifications.http-controller';

const delivery: notificationV1.Delivery = {
  id: 'd1',
  eventId: 'e1',
  eventType: 'emporia.order.v1.ShipmentShipped',
  accountId: 'a1',
  channel: notificationV1.Channel.CHANNEL_SMS,
  category: notificationV1.MessageCategory.MESSAGE_CATEGORY_ORDER,
  recipient: '+86138****8000',
  templateKey: 'order.shipped',
  locale: 'zh-CN',
  subject: '',
  body: '已发货',
  status: notificationV1.DeliveryStatus.DELIVERY_STATUS_HELD,
  attempts: 0,
  lastError: '',
  nextAttemptAt: '2026-12-02T00:00:00Z',
  providerMessageId: '',
  createdAt: '2026-12-01T00:00:00Z',
  sentAt: '',
  deliveredAt: '',
  reason: 'QUIET_HOURS',
};

describe('notification mapping', () => {
  it('names enumerations without their prefix and unset strings null', () => {
    expect(myNotificationView(delivery)).toEqual({
      id: 'd1',
      eventType: 'emporia.order.v1.ShipmentShipped',
      channel: 'SMS',
      category: 'ORDER',
      recipient: '+86138****8000',
      subject: '',
      body: '已发货',
      status: 'HELD',
      reason: 'QUIET_HOURS',
      createdAt: '2026-12-01T00:00:00Z',
      sentAt: null,
      deliveredAt: null,
    });
    expect(deliveryView({ ...delivery, accountId: '' })).toMatchObject({
      accountId: null,
      nextAttemptAt: '2026-12-02T00:00:00Z',
      lastError: null,
      providerMessageId: null,
      attempts: 0,
    });
  });

  it('maps filters to the proto, unset as UNSPECIFIED', () => {
    expect(channelToProto('PUSH')).toBe(notificationV1.Channel.CHANNEL_PUSH);
    expect(channelToProto(undefined)).toBe(notificationV1.Channel.CHANNEL_UNSPECIFIED);
    expect(deliveryStatusToProto('DEAD')).toBe(notificationV1.DeliveryStatus.DELIVERY_STATUS_DEAD);
    expect(deliveryStatusToProto(undefined)).toBe(
      notificationV1.DeliveryStatus.DELIVERY_STATUS_UNSPECIFIED,
    );
  });

  it('round-trips preferences, the account always the given one, nulls as empty strings', () => {
    const proto = preferencesToProto('acc', {
      channels: [{ category: 'MARKETING', email: false, sms: false, push: true }],
      quietHoursStart: null,
      quietHoursEnd: null,
      locale: null,
    });
    expect(proto).toEqual({
      accountId: 'acc',
      channels: [
        {
          category: notificationV1.MessageCategory.MESSAGE_CATEGORY_MARKETING,
          email: false,
          sms: false,
          push: true,
        },
      ],
      quietHoursStart: '',
      quietHoursEnd: '',
      timeZone: '',
      locale: '',
      updatedAt: '',
    });
    expect(preferencesView({ ...proto, timeZone: 'Asia/Shanghai' })).toEqual({
      channels: [{ category: 'MARKETING', email: false, sms: false, push: true }],
      quietHoursStart: null,
      quietHoursEnd: null,
      timeZone: 'Asia/Shanghai',
      locale: null,
      updatedAt: null,
    });
  });

  it('shows templates with their channel name', () => {
    expect(
      notificationTemplateView({
        key: 'stock.low',
        channel: notificationV1.Channel.CHANNEL_EMAIL,
        locale: 'en',
        subject: 'Low stock',
        body: '{{sku_code}}',
        variables: ['sku_code'],
        updatedAt: '',
      }),
    ).toMatchObject({ channel: 'EMAIL', updatedAt: null, variables: ['sku_code'] });
  });

  it('answers HTML only to callers that prefer it', () => {
    expect(wantsHtml(undefined)).toBe(false);
    expect(wantsHtml('application/json')).toBe(false);
    expect(wantsHtml('*/*')).toBe(false);
    expect(wantsHtml('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).toBe(true);
    expect(wantsHtml('application/json, text/html;q=0.5')).toBe(false);
  });
});

describe('catalog operations mapping', () => {
  const product: catalogV1.Product = {
    id: 'p',
    title: 't',
    description: '',
    brand: '',
    categoryId: 'c',
    categoryPathIds: ['c'],
    status: catalogV1.ProductStatus.PRODUCT_STATUS_DRAFT,
    skus: [],
    version: 2,
    createdAt: '',
    updatedAt: '',
    unitsSold: 0,
    rating: undefined,
    tags: ['促销', '新品'],
    manualTags: ['促销'],
    publishAt: '2026-12-24T00:00:00+08:00',
    unpublishAt: '',
    complianceStatus: catalogV1.ComplianceStatus.COMPLIANCE_STATUS_PENDING,
  };

  it('gives shoppers the tags only, operators the schedule and compliance status', () => {
    const shopper = productView(product);
    expect(shopper.tags).toEqual(['促销', '新品']);
    expect(shopper).not.toHaveProperty('complianceStatus');
    expect(shopper).not.toHaveProperty('publishAt');
    expect(productAdminView(product)).toMatchObject({
      tags: ['促销', '新品'],
      manualTags: ['促销'],
      publishAt: '2026-12-24T00:00:00+08:00',
      unpublishAt: null,
      complianceStatus: 'PENDING',
    });
  });

  it('round-trips tag rules: top and minUnits only for best sellers', () => {
    const proto = tagRuleToProto({ tag: '新品', kind: 'NEW_ARRIVAL', days: 30, top: null });
    expect(proto).toEqual({
      tag: '新品',
      kind: catalogV1.TagRuleKind.TAG_RULE_KIND_NEW_ARRIVAL,
      days: 30,
      top: 0,
      minUnits: 0,
    });
    expect(tagRuleView(proto)).toEqual({
      tag: '新品',
      kind: 'NEW_ARRIVAL',
      days: 30,
      top: null,
      minUnits: null,
    });
    expect(
      tagRuleView(
        tagRuleToProto({ tag: '爆款', kind: 'BEST_SELLER', days: 7, top: 20, minUnits: 1 }),
      ),
    ).toEqual({ tag: '爆款', kind: 'BEST_SELLER', days: 7, top: 20, minUnits: 1 });
  });

  it('maps reviews, audit lines and thresholds with nulls for what is unset', () => {
    expect(complianceStatusToProto(undefined)).toBe(
      catalogV1.ComplianceStatus.COMPLIANCE_STATUS_UNSPECIFIED,
    );
    expect(complianceStatusToProto('REJECTED')).toBe(
      catalogV1.ComplianceStatus.COMPLIANCE_STATUS_REJECTED,
    );
    expect(
      complianceReviewView({
        id: 'r',
        productId: 'p',
        productVersion: 2,
        qualityReportRef: 'doc-1',
        status: catalogV1.ComplianceStatus.COMPLIANCE_STATUS_REJECTED,
        submittedBy: 'a',
        submittedAt: 's',
        decidedBy: 'b',
        decidedAt: 'd',
        reason: '报告过期',
      }),
    ).toMatchObject({ status: 'REJECTED', decidedBy: 'b', reason: '报告过期' });
    expect(
      complianceAuditView({
        id: 'x',
        productId: 'p',
        reviewId: '',
        action: 'refused_publish',
        actorId: '',
        detail: 'listing sweep',
        occurredAt: 'o',
      }),
    ).toMatchObject({ reviewId: null, actorId: null, action: 'refused_publish' });
    expect(
      stockThresholdView({
        skuId: 's',
        warehouseCode: 'SH-1',
        threshold: 5,
        low: false,
        lowSince: '',
        updatedAt: 'u',
      }),
    ).toEqual({
      skuId: 's',
      warehouseCode: 'SH-1',
      threshold: 5,
      low: false,
      lowSince: null,
      updatedAt: 'u',
    });
  });
});
