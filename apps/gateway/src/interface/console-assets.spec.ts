import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger } from '@emporia/platform';
import { installConsole } from './console-assets';

@Module({})
class EmptyModule {}

/** A gateway with only the console, listening on a free port: its URL and how to stop it. */
async function gatewayWith(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const app = await NestFactory.create<NestFastifyApplication>(EmptyModule, new FastifyAdapter(), {
    logger: false,
  });
  await installConsole(app, { dir, logger: createLogger('gateway', 'silent') });
  await app.listen(0, '127.0.0.1');
  return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), close: () => app.close() };
}

describe('the operator console at /admin', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers the page for every screen (the app routes in the browser), never cached', async () => {
    const app = await gatewayWith(dir);
    for (const path of ['/admin/', '/admin/orders/held', '/admin/catalog/products/0199?x=1']) {
      const res = await fetch(`${app.url}${path}`);
      expect([path, res.status, res.headers.get('cache-control')]).toEqual([path, 200, 'no-cache']);
      expect(await res.text()).toContain('<title>console</title>');
    }
    const redirect = await fetch(`${app.url}/admin?lang=en`, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([308, '/admin/?lang=en']);
    await app.close();
  });

  it('serves hashed assets for a year, and a missing asset is a 404 (not the page)', async () => {
    const app = await gatewayWith(dir);
    try {
      const js = await fetch(`${app.url}/admin/assets/index-abc123.js`);
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toMatch(/javascript/);
      expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect((await fetch(`${app.url}/admin/assets/nope.js`)).status).toBe(404);
      const escape = await fetch(`${app.url}/admin/assets/..%2f..%2f..%2fetc%2fpasswd`);
      // @fastify/static refuses a path that climbs out of the build
      expect([403, 404]).toContain(escape.status);
      expect(await escape.text()).not.toContain('root:');
    } finally {
      await app.close();
    }
  });

  it('without a build, answers 404 CONSOLE_NOT_BUILT as problem+json', async () => {
    const app = await gatewayWith(join(dir, 'not-built'));
    const res = await fetch(`${app.url}/admin/`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ code: 'CONSOLE_NOT_BUILT', instance: '/admin/' });
    await app.close();
  });
});
