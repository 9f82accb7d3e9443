import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@emporia/platform';
import { problemBody } from './problem';

/**
 * The operator console (apps/console, built by `npm run build:console` into `dir`) at /admin:
 * its hashed assets cached for a year, its page never cached (a new release is picked up at
 * once), and every other path under /admin answered with the page (the app routes in the
 * browser). Without a build, /admin answers 404 CONSOLE_NOT_BUILT and the start-up log says why.
 */
export async function installConsole(
  app: NestFastifyApplication,
  { dir, logger }: { dir: string; logger: Logger },
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const root = resolve(dir);
  const built = existsSync(join(root, 'index.html'));
  if (!built) {
    logger.warn(
      { dir: root },
      'the operator console is not built: /admin answers 404 (run npm run build:console)',
    );
    const notBuilt = (req: FastifyRequest, reply: FastifyReply) =>
      reply
        .code(404)
        .header('cache-control', 'no-store')
        .type('application/problem+json')
        .send({
          ...problemBody(
            404,
            'CONSOLE_NOT_BUILT',
            'the operator console is not built on this gateway (npm run build:console)',
          ),
          instance: req.url.split('?')[0],
        });
    fastify.get('/admin', notBuilt);
    fastify.get('/admin/*', notBuilt);
    return;
  }
  await app.register(fastifyStatic, { root, serve: false, decorateReply: true });
  const page = (_req: FastifyRequest, reply: FastifyReply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  fastify.get('/admin', (req, reply) => {
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    return reply.redirect(`/admin/${query}`, 308);
  });
  fastify.get('/admin/assets/*', (req, reply) => {
    const file = (req.params as { '*': string })['*'];
    return reply.sendFile(`assets/${file}`, { immutable: true, maxAge: '365d' });
  });
  fastify.get('/admin/*', page);
  fastify.get('/admin/', page);
}
