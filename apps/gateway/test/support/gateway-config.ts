import { freePort, testEnv, uniqueSuffix } from '@emporia/testing';
import { gatewayConfigSchema, type GatewayConfig } from '../../src/config';

/**
 * A gateway's settings for a test: free ports on loopback, every backend address a free port
 * where nothing listens (tests start only what they need), the shared Redis under a key prefix
 * of this test's own (marketing's flash-sale pools under another), a short gRPC deadline; `over` adds or replaces settings.
 */
export async function testGatewayConfig(
  name: string,
  over: Record<string, string> = {},
): Promise<GatewayConfig> {
  const nowhere = async () => `127.0.0.1:${await freePort()}`;
  const suffix = uniqueSuffix();
  return gatewayConfigSchema.parse({
    GATEWAY_HTTP_PORT: '0',
    GATEWAY_OPS_PORT: '0',
    BIND_HOST: '127.0.0.1',
    CATALOG_GRPC_URL: await nowhere(),
    SEARCH_GRPC_URL: await nowhere(),
    ORDER_GRPC_URL: await nowhere(),
    USER_GRPC_URL: await nowhere(),
    MARKETING_GRPC_URL: await nowhere(),
    RISK_GRPC_URL: await nowhere(),
    ANALYTICS_GRPC_URL: await nowhere(),
    SUPPORT_GRPC_URL: await nowhere(),
    REVIEW_GRPC_URL: await nowhere(),
    NOTIFICATION_GRPC_URL: await nowhere(),
    REDIS_URL: testEnv.redisUrl(),
    REDIS_KEY_PREFIX: `gw-${name}-${suffix}:`,
    // marketing's flash-sale pools (FLASH_DECISIONS=edge): none but what a test loads
    FLASH_KEY_PREFIX: `gw-${name}-${suffix}:mkt:`,
    GRPC_DEADLINE_MS: '1500',
    ...over,
  });
}
