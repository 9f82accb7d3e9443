import Fastify from 'fastify';
import { RouteTable } from './http-hygiene';

describe('RouteTable: the methods of a path, for 405 and Allow', () => {
  const routes = new RouteTable();
  beforeAll(async () => {
    const app = Fastify();
    routes.track(app);
    const ok = async () => ({});
    app.get('/v1/admin/promotions', ok);
    app.put('/v1/admin/promotions/:id', ok);
    app.post('/v1/admin/promotions/preview', ok);
    app.get('/v1/orders/:id', ok);
    app.post('/v1/orders/:id/cancel', ok);
    await app.ready();
    await app.close();
  });

  it('answers the methods of every pattern a path matches', () => {
    expect(routes.allowed('/v1/orders/0199?x=1')).toEqual(['GET', 'HEAD']);
    expect(routes.allowed('/v1/admin/promotions/0199')).toEqual(['PUT']);
    expect(routes.allowed('/v1/nothing')).toEqual([]);
  });

  it('gives a path of a route without parameters its own methods only', () => {
    expect(routes.allowed('/v1/admin/promotions/preview')).toEqual(['POST']);
    expect(routes.shadowed('PUT', '/v1/admin/promotions/preview')).toEqual(['POST']);
    expect(routes.shadowed('OPTIONS', '/v1/admin/promotions/preview?a=1')).toEqual(['POST']);
    expect(routes.shadowed('POST', '/v1/admin/promotions/preview')).toBeUndefined();
    // a pattern's own paths, and HEAD of a GET route, are not shadowed
    expect(routes.shadowed('PUT', '/v1/admin/promotions/0199')).toBeUndefined();
    expect(routes.shadowed('HEAD', '/v1/admin/promotions')).toBeUndefined();
  });
});
