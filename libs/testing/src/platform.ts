import { createHmac, randomUUID } from 'node:crypto';
import { createTestDatabase, freePort, testEnv, uniqueSuffix } from './fixtures';
import { runServiceCommand, startServiceProcess, type ServiceProcess } from './processes';

/** The sandbox payment provider's secret in end-to-end runs (tests sign callbacks with it). */
export const E2E_SANDBOX_SECRET = 'e2e-sandbox-secret-0123456789abcdef';
/** The carriers' webhook secret in end-to-end runs. */
export const E2E_CARRIER_SECRET = 'e2e-carrier-secret-0123456789abcdef';
/**
 * A carrier webhook's `Emporia-Signature` header over `body` for `carrier`, signed with the
 * end-to-end carrier secret (or `secret`) at `t` (seconds): `t=<t>,v1=<HMAC-SHA256 hex>`.
 */
export function carrierSignature(
  carrier: string,
  body: string,
  t = Math.floor(Date.now() / 1000),
  secret = E2E_CARRIER_SECRET,
): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${carrier}.${body}`).digest('hex')}`;
}
/** The notification service's sandbox SMS/push receipts key in end-to-end runs (tests sign receipts with it). */
export const E2E_NOTIFICATION_SANDBOX_SECRET = 'e2e-notification-sandbox-secret-0123456789abcdef';
/** The notification service's unsubscribe-link key in end-to-end runs. */
export const E2E_UNSUBSCRIBE_SECRET = 'e2e-unsubscribe-secret-0123456789abcdef';

/** The platform's services behind the gateway, as `startPlatform` names them (one of each). */
export const SERVICE_APPS = [
  'catalog',
  'search',
  'user',
  'order',
  'marketing',
  'risk',
  'analytics',
  'support',
  'review',
  'notification',
] as const;

export interface ApiResponse {
  status: number;
  type: string;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes in tests
  body: any;
}

export type Api = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<ApiResponse>;

/** An HTTP client for the gateway: JSON in, JSON (or problem+json) out. */
export function apiClient(baseUrl: string): Api {
  return async (method, path, body, headers = {}) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      headers: res.headers,
      body: text ? JSON.parse(text) : undefined,
    };
  };
}

export interface Platform {
  suffix: string;
  gatewayUrl: string;
  /** The gateway's ops port: /healthz, /readyz and /metrics (not served on gatewayUrl). */
  gatewayOpsUrl: string;
  /** Every gateway's public URL (`replicas` of them; the first is `gatewayUrl`). */
  gatewayUrls: string[];
  api: Api;
  databases: {
    catalog?: string;
    user?: string;
    order?: string;
    marketing?: string;
    risk?: string;
    analytics?: string;
    support?: string;
    review?: string;
    notification?: string;
  };
  /**
   * The mail sink's API (Mailpit, shared by every test: search by your own recipient,
   * `GET /api/v1/search?query=to:<address>`, never delete all its messages).
   */
  mailSinkApiUrl: string;
  /** The notification service's NOTIFICATION_OPERATOR_EMAILS: one address of this run (low-stock alerts). */
  operatorEmail: string;
  /** The key the notification service's sandbox receipts are signed with (HMAC-SHA256 hex). */
  notificationSandboxSecret: string;
  services: ServiceProcess[];
  /**
   * How each process was started (by app name): its settings and readiness URL, to start it again
   * after a test stopped it, or another like it (`startServiceProcess(app, {...env, ...}, url)`).
   */
  processes: Record<string, { env: Record<string, string>; readyUrl: string }>;
  /** Registers an account through the gateway, optionally grants roles, logs in: a bearer header. */
  signIn(
    email: string,
    password: string,
    roles?: string,
  ): Promise<{ accountId: string; auth: Record<string, string>; refreshToken: string }>;
  /**
   * A fresh category with one active product of one SKU, `stock` units in `warehouseCode`, made
   * through the gateway by `operator` (a bearer header of the operator role): the SKU's id.
   */
  stockedSku(
    operator: Record<string, string>,
    opts?: { stock?: number; priceMinor?: number; warehouseCode?: string; title?: string },
  ): Promise<string>;
  /**
   * A flash sale selling now (started a second ago, for an hour) of `stock` units of `skuId` at
   * `priceMinor` fen, `perUserLimit` per buyer, made through the gateway by `operator`: its id.
   */
  flashSale(
    operator: Record<string, string>,
    opts: { skuId: string; priceMinor: number; stock: number; perUserLimit: number },
  ): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the services as a user runs them (separate processes, real Postgres, Redis, Kafka and
 * Elasticsearch) behind one gateway. Services not asked for are absent; the gateway then
 * reports them unavailable, and readiness is checked on /healthz instead of /readyz (both on the
 * gateway's ops port).
 */
export async function startPlatform(want: {
  catalog?: boolean;
  search?: boolean;
  user?: boolean;
  order?: boolean;
  marketing?: boolean;
  risk?: boolean;
  /** The analytics service (migrated; it calls catalog when that runs too). */
  analytics?: boolean;
  /**
   * The support service (migrated). It calls order and user at their addresses here: ask for
   * them too, or the bot hands every question to a person and priorities ignore the tier.
   */
  support?: boolean;
  /**
   * The review service (migrated). It calls order, user and risk at their addresses here: ask
   * for them too, or submitting a review answers UNAVAILABLE (order) and reviews are held for an
   * operator (risk). Reading reviews needs none of them.
   */
  review?: boolean;
  /**
   * The notification service (migrated): e-mails to the mail sink (SMTP_SINK_URL), the SMS/push
   * sandbox on with its receipts posted to the gateway's receipt route, low-stock alerts to
   * `platform.operatorEmail`. It calls user for recipients (no readiness check): ask for user too.
   */
  notification?: boolean;
  /** Settings of every service (e.g. OTEL_EXPORTER_OTLP_ENDPOINT: all of them send spans). */
  env?: Record<string, string>;
  /** Extra settings of the order service (e.g. a short payment deadline). */
  orderEnv?: Record<string, string>;
  /** Extra settings of the catalog service (e.g. a short RESERVATION_SWEEP_INTERVAL_MS: the listing sweep). */
  catalogEnv?: Record<string, string>;
  marketingEnv?: Record<string, string>;
  searchEnv?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  analyticsEnv?: Record<string, string>;
  supportEnv?: Record<string, string>;
  reviewEnv?: Record<string, string>;
  notificationEnv?: Record<string, string>;
  /** Extra settings of the user service (e.g. REVIEW_PHOTO_POINTS). */
  userEnv?: Record<string, string>;
  /**
   * Processes per service, the gateway's included (default 1). Each service's callers get the
   * list of its replicas' gRPC addresses; consumers of a service share its consumer group.
   */
  replicas?: number;
}): Promise<Platform> {
  const suffix = uniqueSuffix();
  const common = {
    KAFKA_BROKERS: testEnv.kafkaBrokers(),
    KAFKA_TOPIC_PREFIX: `e2e${suffix}.`,
    BIND_HOST: '127.0.0.1',
    ...want.env,
  };
  const replicas = want.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`replicas: ${replicas}`);
  /** Each replica's [gRPC or public HTTP port, HTTP or ops port]. */
  const portPairs = async () => {
    const pairs: [number, number][] = [];
    for (let i = 0; i < replicas; i++) pairs.push([await freePort(), await freePort()]);
    return pairs;
  };
  const ports = {
    catalog: await portPairs(),
    search: await portPairs(),
    user: await portPairs(),
    order: await portPairs(),
    marketing: await portPairs(),
    risk: await portPairs(),
    analytics: await portPairs(),
    support: await portPairs(),
    review: await portPairs(),
    notification: await portPairs(),
    gateway: await portPairs(),
  };
  /** A service's gRPC address for its callers: every replica's. */
  const grpcUrl = (app: Exclude<keyof typeof ports, 'gateway'>) =>
    ports[app].map(([grpc]) => `127.0.0.1:${grpc}`).join(',');
  const gatewayUrls = ports.gateway.map(([http]) => `http://127.0.0.1:${http}`);
  const drops: (() => Promise<void>)[] = [];
  const mailSinkApiUrl = process.env.MAIL_SINK_API_URL ?? '';
  const operatorEmail = `operator-${suffix}@e2e.emporia.test`;
  const userEnv = (url: string) => ({
    ...common,
    USER_DATABASE_URL: url,
    REDIS_URL: testEnv.redisUrl(),
    REDIS_KEY_PREFIX: `e2e:${suffix}:`,
  });
  const databases: Platform['databases'] = {};
  const services: ServiceProcess[] = [];
  const processes: Platform['processes'] = {};
  /**
   * Starts every replica of `app` (`processes` keys: `app`, then `app#2`, …) with its own ports
   * (`<APP>_GRPC_PORT`/`<APP>_HTTP_PORT`; the gateway's `GATEWAY_HTTP_PORT`/`GATEWAY_OPS_PORT`),
   * ready when `readyPath` answers on the second port of each.
   */
  const launch = (app: keyof typeof ports, env: Record<string, string>, readyPath: string) =>
    ports[app].map(([first, second], i) => {
      const upper = app.toUpperCase();
      const own =
        app === 'gateway'
          ? { GATEWAY_HTTP_PORT: String(first), GATEWAY_OPS_PORT: String(second) }
          : { [`${upper}_GRPC_PORT`]: String(first), [`${upper}_HTTP_PORT`]: String(second) };
      const full = { ...env, ...own };
      const readyUrl = `http://127.0.0.1:${second}/${readyPath}`;
      processes[i === 0 ? app : `${app}#${i + 1}`] = { env: full, readyUrl };
      return startServiceProcess(app, full, readyUrl);
    });
  const starting: Promise<ServiceProcess>[] = [];
  try {
    if (want.catalog) {
      const db = await createTestDatabase('e2e_catalog');
      drops.push(db.drop);
      databases.catalog = db.url;
      await runServiceCommand(
        'catalog',
        { ...common, CATALOG_DATABASE_URL: db.url, ...want.catalogEnv },
        ['migrate'],
      );
      starting.push(
        ...launch(
          'catalog',
          {
            ...common,
            CATALOG_DATABASE_URL: db.url,
            CATALOG_CONSUMER_GROUP: `catalog-e2e${suffix}`,
            OUTBOX_POLL_MS: '100',
            ...want.catalogEnv,
          },
          'readyz',
        ),
      );
    }
    if (want.search) {
      starting.push(
        ...launch(
          'search',
          {
            ...common,
            ELASTICSEARCH_URL: testEnv.elasticsearchUrl(),
            SEARCH_INDEX_PREFIX: `e2e${suffix}-`,
            SEARCH_CONSUMER_GROUP: `search-e2e${suffix}`,
            CATALOG_GRPC_URL: grpcUrl('catalog'),
            ...want.searchEnv,
          },
          'readyz',
        ),
      );
      drops.push(async () => {
        await fetch(`${testEnv.elasticsearchUrl()}/e2e${suffix}-*`, { method: 'DELETE' }).catch(
          () => undefined,
        );
      });
    }
    if (want.user) {
      const db = await createTestDatabase('e2e_user');
      drops.push(db.drop);
      databases.user = db.url;
      await runServiceCommand('user', userEnv(db.url), ['migrate']);
      starting.push(
        ...launch(
          'user',
          {
            ...userEnv(db.url),
            USER_CONSUMER_GROUP: `user-e2e${suffix}`,
            OUTBOX_POLL_MS: '100',
            // sign-ins are scored when risk runs (fail open until it answers)
            RISK_GRPC_URL: want.risk ? grpcUrl('risk') : '',
            // SMS one-time codes go out through notification (its sandbox SMS provider) when it runs
            NOTIFICATION_GRPC_URL: want.notification ? grpcUrl('notification') : '',
            // passkeys: a browser reaches the gateways at http://localhost:<port> (a secure
            // context; an IP address cannot be a relying party id)
            WEBAUTHN_RP_ID: 'localhost',
            WEBAUTHN_ORIGINS: ports.gateway.map(([http]) => `http://localhost:${http}`).join(','),
            ...want.userEnv,
          },
          'readyz',
        ),
      );
    }
    if (want.order) {
      const db = await createTestDatabase('e2e_order');
      drops.push(db.drop);
      databases.order = db.url;
      const env = {
        ...common,
        ORDER_DATABASE_URL: db.url,
        // the sandbox provider is off unless enabled; tests pay through it
        PAYMENT_SANDBOX_ENABLED: 'true',
        PAYMENT_SANDBOX_SECRET: E2E_SANDBOX_SECRET,
        CARRIER_WEBHOOK_SECRET: E2E_CARRIER_SECRET,
      };
      await runServiceCommand('order', { ...env, ...want.orderEnv }, ['migrate']);
      starting.push(
        ...launch(
          'order',
          {
            ...env,
            CATALOG_GRPC_URL: grpcUrl('catalog'),
            MARKETING_GRPC_URL: want.marketing ? grpcUrl('marketing') : '',
            RISK_GRPC_URL: want.risk ? grpcUrl('risk') : '',
            // checkout asks user about frozen accounts and address-book entries
            USER_GRPC_URL: want.user ? grpcUrl('user') : '',
            ORDER_CONSUMER_GROUP: `order-e2e${suffix}`,
            PAYMENT_SANDBOX_BASE_URL: `${gatewayUrls[0]}/v1/payments`,
            OUTBOX_POLL_MS: '100',
            ORDER_SWEEP_INTERVAL_MS: '200',
            ...want.orderEnv,
          },
          want.catalog ? 'readyz' : 'healthz',
        ),
      );
    }
    if (want.marketing) {
      const db = await createTestDatabase('e2e_marketing');
      drops.push(db.drop);
      databases.marketing = db.url;
      const env = {
        ...common,
        MARKETING_DATABASE_URL: db.url,
        REDIS_URL: testEnv.redisUrl(),
        REDIS_KEY_PREFIX: `e2e:${suffix}:mkt:`,
      };
      await runServiceCommand('marketing', env, ['migrate']);
      starting.push(
        ...launch(
          'marketing',
          {
            ...env,
            MARKETING_CONSUMER_GROUP: `marketing-e2e${suffix}`,
            OUTBOX_POLL_MS: '100',
            MARKETING_SWEEP_INTERVAL_MS: '200',
            ...want.marketingEnv,
          },
          'readyz',
        ),
      );
    }
    if (want.risk) {
      const db = await createTestDatabase('e2e_risk');
      drops.push(db.drop);
      databases.risk = db.url;
      const env = {
        ...common,
        RISK_DATABASE_URL: db.url,
        REDIS_URL: testEnv.redisUrl(),
        REDIS_KEY_PREFIX: `e2e:${suffix}:risk:`,
      };
      await runServiceCommand('risk', env, ['migrate']);
      starting.push(
        ...launch(
          'risk',
          {
            ...env,
            RISK_CONSUMER_GROUP: `risk-e2e${suffix}`,
          },
          'readyz',
        ),
      );
    }
    if (want.analytics) {
      const db = await createTestDatabase('e2e_analytics');
      drops.push(db.drop);
      databases.analytics = db.url;
      const env = { ...common, ANALYTICS_DATABASE_URL: db.url };
      await runServiceCommand('analytics', { ...env, ...want.analyticsEnv }, ['migrate']);
      starting.push(
        ...launch(
          'analytics',
          {
            ...env,
            ANALYTICS_CONSUMER_GROUP: `analytics-e2e${suffix}`,
            // approved price suggestions are set on the catalog
            CATALOG_GRPC_URL: want.catalog ? grpcUrl('catalog') : '',
            OUTBOX_POLL_MS: '100',
            ...want.analyticsEnv,
          },
          'readyz',
        ),
      );
    }
    if (want.support) {
      const db = await createTestDatabase('e2e_support');
      drops.push(db.drop);
      databases.support = db.url;
      const env = { ...common, SUPPORT_DATABASE_URL: db.url };
      await runServiceCommand('support', { ...env, ...want.supportEnv }, ['migrate']);
      starting.push(
        ...launch(
          'support',
          {
            ...env,
            // the bot's answers and a ticket's order; the customer's tier (neither a readiness check)
            ORDER_GRPC_URL: grpcUrl('order'),
            USER_GRPC_URL: grpcUrl('user'),
            OUTBOX_POLL_MS: '100',
            SUPPORT_SWEEP_INTERVAL_MS: '200',
            ...want.supportEnv,
          },
          'readyz',
        ),
      );
    }
    if (want.review) {
      const db = await createTestDatabase('e2e_review');
      drops.push(db.drop);
      databases.review = db.url;
      const env = { ...common, REVIEW_DATABASE_URL: db.url };
      await runServiceCommand('review', { ...env, ...want.reviewEnv }, ['migrate']);
      starting.push(
        ...launch(
          'review',
          {
            ...env,
            // delivered lines, the account's age and name, brushing checks (no readiness check)
            ORDER_GRPC_URL: grpcUrl('order'),
            USER_GRPC_URL: grpcUrl('user'),
            RISK_GRPC_URL: grpcUrl('risk'),
            OUTBOX_POLL_MS: '100',
            ...want.reviewEnv,
          },
          'readyz',
        ),
      );
    }
    if (want.notification) {
      const smtpUrl = process.env.SMTP_SINK_URL;
      if (!smtpUrl || !mailSinkApiUrl) {
        throw new Error(
          "SMTP_SINK_URL and MAIL_SINK_API_URL are not set: the integration project's global setup provides the mail sink",
        );
      }
      const db = await createTestDatabase('e2e_notification');
      drops.push(db.drop);
      databases.notification = db.url;
      const env = {
        ...common,
        NOTIFICATION_DATABASE_URL: db.url,
        NOTIFICATION_UNSUBSCRIBE_SECRET: E2E_UNSUBSCRIBE_SECRET,
      };
      await runServiceCommand('notification', { ...env, ...want.notificationEnv }, ['migrate']);
      const gateway = gatewayUrls[0];
      starting.push(
        ...launch(
          'notification',
          {
            ...env,
            NOTIFICATION_CONSUMER_GROUP: `notification-e2e${suffix}`,
            // recipients' e-mail, phone, locale and consents
            USER_GRPC_URL: grpcUrl('user'),
            SMTP_URL: smtpUrl,
            NOTIFICATION_PUBLIC_BASE_URL: gateway,
            NOTIFICATION_SANDBOX_ENABLED: 'true',
            NOTIFICATION_SANDBOX_SECRET: E2E_NOTIFICATION_SANDBOX_SECRET,
            // receipts come back as a provider's would: signed, through the gateway's public route
            NOTIFICATION_SANDBOX_RECEIPT_URL: `${gateway}/v1/notifications/receipts`,
            NOTIFICATION_OPERATOR_EMAILS: operatorEmail,
            NOTIFICATION_SEND_INTERVAL_MS: '100',
            NOTIFICATION_RETRY_BASE_MS: '100',
            ...want.notificationEnv,
          },
          want.user ? 'readyz' : 'healthz',
        ),
      );
    }
    const settled = await Promise.allSettled(starting);
    for (const s of settled) if (s.status === 'fulfilled') services.push(s.value);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const all = want.catalog && want.search && want.user && want.order && want.marketing;
    services.push(
      ...(await Promise.all(
        launch(
          'gateway',
          {
            BIND_HOST: '127.0.0.1',
            // catalog's product events drop the gateway's cached product pages
            KAFKA_BROKERS: common.KAFKA_BROKERS,
            KAFKA_TOPIC_PREFIX: common.KAFKA_TOPIC_PREFIX,
            CATALOG_GRPC_URL: grpcUrl('catalog'),
            SEARCH_GRPC_URL: grpcUrl('search'),
            USER_GRPC_URL: grpcUrl('user'),
            ORDER_GRPC_URL: grpcUrl('order'),
            MARKETING_GRPC_URL: grpcUrl('marketing'),
            RISK_GRPC_URL: grpcUrl('risk'),
            ANALYTICS_GRPC_URL: grpcUrl('analytics'),
            SUPPORT_GRPC_URL: grpcUrl('support'),
            REVIEW_GRPC_URL: grpcUrl('review'),
            NOTIFICATION_GRPC_URL: grpcUrl('notification'),
            REDIS_URL: testEnv.redisUrl(),
            REDIS_KEY_PREFIX: `e2e:${suffix}:gw:`,
            // marketing's flash-sale pools, which the gateway decides attempts in
            FLASH_KEY_PREFIX: want.marketingEnv?.REDIS_KEY_PREFIX ?? `e2e:${suffix}:mkt:`,
            ...want.env,
            ...want.gatewayEnv,
          },
          all ? 'readyz' : 'healthz',
        ),
      )),
    );
  } catch (e) {
    for (const s of services.reverse()) await s.stop();
    for (const d of drops) await d();
    throw e;
  }
  const gatewayUrl = gatewayUrls[0];
  const api = apiClient(gatewayUrl);
  return {
    suffix,
    gatewayUrl,
    gatewayOpsUrl: `http://127.0.0.1:${ports.gateway[0][1]}`,
    gatewayUrls,
    api,
    databases,
    mailSinkApiUrl,
    operatorEmail,
    notificationSandboxSecret: E2E_NOTIFICATION_SANDBOX_SECRET,
    services,
    processes,
    async signIn(email, password, roles) {
      const reg = await api('POST', '/v1/auth/register', { email, password });
      if (reg.status !== 201) throw new Error(`register ${email}: ${JSON.stringify(reg.body)}`);
      if (roles)
        await runServiceCommand('user', userEnv(databases.user!), ['grant-roles', email, roles]);
      const login = await api('POST', '/v1/auth/login', { identifier: email, password });
      if (login.status !== 200) throw new Error(`login ${email}: ${JSON.stringify(login.body)}`);
      return {
        accountId: reg.body.id,
        auth: { authorization: `Bearer ${login.body.tokens.accessToken}` },
        refreshToken: login.body.tokens.refreshToken,
      };
    },
    async stockedSku(operator, opts = {}) {
      const tag = randomUUID();
      const expect = (what: string, res: ApiResponse, status: number) => {
        if (res.status !== status) throw new Error(`${what}: ${JSON.stringify(res.body)}`);
        return res.body;
      };
      const cat = expect(
        'category',
        await api('POST', '/v1/categories', { name: 'Shop', slug: `shop-${tag}` }, operator),
        201,
      );
      const product = expect(
        'product',
        await api(
          'POST',
          '/v1/products',
          {
            title: opts.title ?? 'Bamboo toothbrush',
            categoryId: cat.id,
            skus: [
              {
                code: `SKU-${tag}`,
                price: { amountMinor: opts.priceMinor ?? 8800, currency: 'CNY' },
              },
            ],
          },
          operator,
        ),
        201,
      );
      const skuId = product.skus[0].id as string;
      expect(
        'stock',
        await api(
          'POST',
          `/v1/skus/${skuId}/stock-adjustments`,
          {
            warehouseCode: opts.warehouseCode ?? 'SH-1',
            delta: opts.stock ?? 100,
            reason: 'receive',
          },
          operator,
        ),
        200,
      );
      return skuId;
    },
    async flashSale(operator, { skuId, priceMinor, stock, perUserLimit }) {
      const sale = await api(
        'POST',
        '/v1/admin/flash-sales',
        {
          skuId,
          price: { amountMinor: priceMinor, currency: 'CNY' },
          stock,
          perUserLimit,
          startsAt: new Date(Date.now() - 1000).toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
        operator,
      );
      if (sale.status !== 201) throw new Error(`flash sale: ${JSON.stringify(sale.body)}`);
      return sale.body.id as string;
    },
    async stop() {
      for (const s of services.splice(0).reverse()) await s.stop();
      for (const d of drops) await d();
    },
  };
}
