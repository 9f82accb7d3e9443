import { connect, createServer } from 'node:net';
import { status } from '@grpc/grpc-js';
import { AppError, ERROR_METADATA_KEY, fromGrpcError, toGrpcError } from './errors';
import { RemoteCallError } from './grpc-client';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';

/** A real ECONNREFUSED: connecting to a port nobody listens on (a stopped Postgres or Redis). */
async function refusedConnection(): Promise<Error> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return new Promise((resolve) => connect(port, '127.0.0.1').once('error', resolve));
}

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
/** What TypeORM throws for a failed query: the pg error as `driverError`. */
const queryFailed = (driverError: Error) =>
  Object.assign(new Error(driverError.message), { name: 'QueryFailedError', driverError });
/** What the caller of the failed handler sees. */
const seen = (e: unknown) => {
  const payload = toGrpcError(e);
  return { ...fromGrpcError(payload), raw: payload.metadata.get(ERROR_METADATA_KEY)[0] };
};

describe('toGrpcError', () => {
  it('a database or Redis that does not answer is UNAVAILABLE DEPENDENCY_UNAVAILABLE, not INTERNAL', async () => {
    for (const e of [
      await refusedConnection(),
      queryFailed(withCode('read ECONNRESET', 'ECONNRESET')),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      queryFailed(withCode('terminating connection due to administrator command', '57P01')),
      withCode('the database system is starting up', '57P03'),
      withCode('sorry, too many clients already', '53300'),
      Object.assign(new Error('Reached the max retries per request limit (which is 2).'), {
        name: 'MaxRetriesPerRequestError',
      }),
      // TypeORM, when a Postgres restart ends a transaction's connection under it
      new QueryRunnerAlreadyReleasedError(),
      // ...or under a transaction's entity manager (the error TypeORM itself throws)
      new QueryRunnerProviderAlreadyReleasedError(),
      new Error('Connection is closed.'),
      new Error('could not load the cart', {
        cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED'),
      }),
    ]) {
      const r = seen(e);
      expect([e.message, r.status, r.code]).toEqual([
        e.message,
        status.UNAVAILABLE,
        'DEPENDENCY_UNAVAILABLE',
      ]);
      // nothing about internals (addresses, SQL) goes to the caller
      expect(r.message).toBe('a dependency of the service is unavailable; retry shortly');
    }
  });

  it("another service's outage left uncaught is UNAVAILABLE too; its answers about the request are not", () => {
    const remote = (s: status) =>
      new RemoteCallError('catalog', { status: s, code: status[s], message: 'm', details: {} });
    expect(seen(remote(status.UNAVAILABLE)).status).toBe(status.UNAVAILABLE);
    expect(seen(remote(status.DEADLINE_EXCEEDED)).status).toBe(status.UNAVAILABLE);
    expect(seen(remote(status.NOT_FOUND)).status).toBe(status.INTERNAL);
  });

  it('coded errors keep their kind and code; bugs and refused statements stay INTERNAL', () => {
    expect(seen(new AppError('NOT_FOUND', 'ORDER_NOT_FOUND', 'no such order'))).toMatchObject({
      status: status.NOT_FOUND,
      code: 'ORDER_NOT_FOUND',
    });
    for (const e of [
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      queryFailed(withCode('duplicate key value violates unique constraint', '23505')),
      'boom',
    ])
      expect(seen(e)).toMatchObject({
        status: status.INTERNAL,
        code: 'INTERNAL',
        message: 'internal error',
      });
  });
});
