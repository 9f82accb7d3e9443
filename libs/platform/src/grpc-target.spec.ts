import { z } from 'zod';
import { env, loadConfig } from './config';
import { grpcTargetAddresses, grpcTargetProblem } from './grpc-target';

describe('gRPC addresses (<SERVICE>_GRPC_URL)', () => {
  it.each([
    ['127.0.0.1:50051', { name: { host: '127.0.0.1', port: 50051 } }],
    ['emporia-catalog-grpc:50051', { name: { host: 'emporia-catalog-grpc', port: 50051 } }],
    [
      'dns:///emporia-catalog-grpc.shop.svc:50051',
      { name: { host: 'emporia-catalog-grpc.shop.svc', port: 50051 } },
    ],
    [
      '127.0.0.1:50051,127.0.0.1:50061',
      {
        endpoints: [
          { host: '127.0.0.1', port: 50051 },
          { host: '127.0.0.1', port: 50061 },
        ],
      },
    ],
    [
      '10.0.0.7:1, 10.0.0.8:2',
      {
        endpoints: [
          { host: '10.0.0.7', port: 1 },
          { host: '10.0.0.8', port: 2 },
        ],
      },
    ],
    [
      '[::1]:50051,[::1]:50061',
      {
        endpoints: [
          { host: '::1', port: 50051 },
          { host: '::1', port: 50061 },
        ],
      },
    ],
  ])('%s stands for %j', (url, addresses) => {
    expect(grpcTargetProblem(url)).toBeUndefined();
    expect(grpcTargetAddresses(url)).toEqual(addresses);
  });

  it.each([
    ['', /host:port/],
    ['catalog', /host:port/],
    ['catalog:', /host:port/],
    ['catalog:99999', /host:port/],
    ['http://catalog:50051', /host:port/],
    ['dns:///catalog', /dns:\/\/\/host:port/],
    ['catalog-a:1,catalog-b:1', /IP addresses.*'catalog-a:1'.*one host:port/],
    ['127.0.0.1:1,', /IP addresses/],
    ['127.0.0.1:1,[::1]:2', /all IPv4 or all IPv6/],
  ])('refuses %j, saying why', (url, why) => {
    expect(grpcTargetProblem(url)).toMatch(why);
    expect(() => grpcTargetAddresses(url)).toThrow(why);
  });

  it('stops start-up naming the variable; an optional one may be empty', () => {
    const schema = z.object({
      CATALOG_GRPC_URL: env.grpcTarget().default('127.0.0.1:50051'),
      RISK_GRPC_URL: env.optionalGrpcTarget(),
    });
    expect(loadConfig(schema, {})).toEqual({
      CATALOG_GRPC_URL: '127.0.0.1:50051',
      RISK_GRPC_URL: '',
    });
    expect(
      loadConfig(schema, { CATALOG_GRPC_URL: '127.0.0.1:1,127.0.0.1:2', RISK_GRPC_URL: 'risk:9' }),
    ).toEqual({ CATALOG_GRPC_URL: '127.0.0.1:1,127.0.0.1:2', RISK_GRPC_URL: 'risk:9' });
    expect(() => loadConfig(schema, { CATALOG_GRPC_URL: 'a:1,b:2' })).toThrow(
      /CATALOG_GRPC_URL: a list of replicas takes IP addresses/,
    );
    expect(() => loadConfig(schema, { RISK_GRPC_URL: 'risk' })).toThrow(/RISK_GRPC_URL: must be/);
  });
});
