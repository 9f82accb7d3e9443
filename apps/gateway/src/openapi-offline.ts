import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { Client } from '@grpc/grpc-js';
import { createLogger } from '@emporia/platform';
import { openApiDocument } from './gateway.app';
import { GatewayModule, type GatewayBackends } from './gateway.module';

/**
 * The gateway's OpenAPI document built from its controllers without any backend (each method of
 * a backend fails if called; none is), for the `currencies` the gateway takes: what the contract
 * tests read and what `npm run generate` writes for the typed client (libs/sdk).
 */
export async function buildOfflineOpenApiDocument(currencies: string[]): Promise<OpenAPIObject> {
  // not a thenable nor a lifecycle hook, which Nest would await or call
  const unused = new Proxy(
    {},
    {
      get: (_t, key) =>
        typeof key !== 'string' || key === 'then' || /^(on|before)[A-Z]/.test(key)
          ? undefined
          : () => Promise.reject(new Error('no backend')),
    },
  );
  const client = { close: () => undefined } as unknown as Client;
  const backend = { api: unused, client };
  const window = { limit: 1, windowMs: 1000 };
  const backends = {
    catalog: backend,
    search: backend,
    user: backend,
    order: backend,
    marketing: backend,
    risk: backend,
    analytics: backend,
    support: backend,
    review: backend,
    notification: backend,
    verifier: { verify: () => Promise.reject(new Error('no verifier')) },
    revocations: { list: unused, timeoutMs: 100 },
    idempotency: unused,
    rateLimits: {
      store: unused,
      policies: {
        sale: { perIp: window, onStoreFailure: 'allow' },
        register: { perIp: window, onStoreFailure: 'refuse' },
        events: { perIp: window, onStoreFailure: 'allow' },
        support: { perAccount: window, onStoreFailure: 'allow' },
        reviews: { perAccount: window, onStoreFailure: 'allow' },
        unsubscribe: { perIp: window, onStoreFailure: 'allow' },
        receipts: { perIp: window, onStoreFailure: 'allow' },
        sms: { perIp: window, onStoreFailure: 'refuse' },
        passkey: { perIp: window, onStoreFailure: 'refuse' },
      },
    },
  } as unknown as GatewayBackends;
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.forRoot(backends, createLogger('gateway', 'silent')),
    new FastifyAdapter(),
    { logger: false },
  );
  try {
    return openApiDocument(app, { currencies });
  } finally {
    await app.close();
  }
}
