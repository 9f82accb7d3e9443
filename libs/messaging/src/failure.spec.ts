import { createServer, connect } from 'node:net';
import { status } from '@grpc/grpc-js';
import { AppError, RemoteCallError } from '@emporia/platform';
import { NonRetriableError } from './event';
import { classifyFailure, DependencyUnavailableError } from './failure';

const withCode = (message: string, code: string, name = 'Error') =>
  Object.assign(new Error(message), { code, name });
const named = (name: string, message = name, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name }, extra);
/** What TypeORM throws for a failed query: the pg error as `driverError`. */
const queryFailed = (driverError: Error) =>
  Object.assign(new Error(driverError.message), { name: 'QueryFailedError', driverError });
const remote = (s: status, code = status[s]) =>
  new RemoteCallError('catalog', { status: s, code, message: 'm', details: {} });

/** A real ECONNREFUSED: connecting to a port nobody listens on. */
async function refusedConnection(): Promise<Error> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return new Promise((resolve) => connect(port, '127.0.0.1').once('error', resolve));
}

describe('classifyFailure', () => {
  it('an unreachable Postgres is unavailable: refused, reset, terminated, shut down, starting up', async () => {
    expect(classifyFailure(await refusedConnection())).toBe('unavailable');
    for (const e of [
      queryFailed(withCode('read ECONNRESET', 'ECONNRESET')),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('Connection terminated due to connection timeout'), {
        cause: new Error('Connection terminated unexpectedly'),
      }),
      new Error('timeout exceeded when trying to connect'),
      queryFailed(withCode('terminating connection due to administrator command', '57P01')),
      withCode('the database system is starting up', '57P03'),
      withCode('the database system is shutting down', '57P03'),
      withCode('connection failure', '08006'),
      withCode('sorry, too many clients already', '53300'),
      queryFailed(withCode('cannot execute UPDATE in a read-only transaction', '25006')),
      queryFailed(withCode('could not serialize access', '40001')),
      queryFailed(withCode('deadlock detected', '40P01')),
    ])
      expect([e.message, classifyFailure(e)]).toEqual([e.message, 'unavailable']);
  });

  it('a statement Postgres refuses is not unavailable (a bug or bad data: a few tries, then the DLQ)', () => {
    for (const code of ['23505', '23503', '22P02', '42P01', '42703', 'XX000'])
      expect(classifyFailure(queryFailed(withCode('rejected', code)))).toBe('unknown');
  });

  it('another service: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED wait; its answers about the request are poison', () => {
    expect(classifyFailure(remote(status.UNAVAILABLE))).toBe('unavailable');
    expect(classifyFailure(remote(status.DEADLINE_EXCEEDED))).toBe('unavailable');
    expect(classifyFailure(remote(status.RESOURCE_EXHAUSTED))).toBe('unavailable');
    expect(classifyFailure(remote(status.NOT_FOUND, 'RESERVATION_NOT_FOUND'))).toBe('poison');
    expect(classifyFailure(remote(status.FAILED_PRECONDITION))).toBe('poison');
    expect(classifyFailure(remote(status.INVALID_ARGUMENT))).toBe('poison');
    // a conflict or a crash on the other side: a few tries
    expect(classifyFailure(remote(status.ABORTED))).toBe('unknown');
    expect(classifyFailure(remote(status.INTERNAL))).toBe('unknown');
  });

  it('Redis, Elasticsearch and Kafka that do not answer are unavailable', () => {
    expect(classifyFailure(withCode('connect ECONNREFUSED 127.0.0.1:6379', 'ECONNREFUSED'))).toBe(
      'unavailable',
    );
    expect(classifyFailure(new Error('Connection is closed.'))).toBe('unavailable');
    expect(
      classifyFailure(
        named(
          'MaxRetriesPerRequestError',
          'Reached the max retries per request limit (which is 2). Refer to "maxRetriesPerRequest" option for details.',
        ),
      ),
    ).toBe('unavailable');
    expect(classifyFailure(named('ConnectionError', 'connect ECONNREFUSED'))).toBe('unavailable');
    expect(classifyFailure(named('NoLivingConnectionsError'))).toBe('unavailable');
    expect(classifyFailure(named('TimeoutError', 'Request timed out'))).toBe('unavailable');
    for (const statusCode of [429, 503])
      expect(classifyFailure(named('ResponseError', 'x', { meta: { statusCode } }))).toBe(
        'unavailable',
      );
    // Elasticsearch answering about the request (a mapping conflict): not unavailable
    expect(classifyFailure(named('ResponseError', 'x', { meta: { statusCode: 400 } }))).toBe(
      'unknown',
    );
    expect(classifyFailure(named('KafkaJSConnectionError', 'Connection error'))).toBe(
      'unavailable',
    );
    expect(
      classifyFailure(named('KafkaJSNumberOfRetriesExceeded', 'x', { originalError: new Error() })),
    ).toBe('unavailable');
    expect(
      classifyFailure(named('KafkaJSProtocolError', 'too large', { type: 'MESSAGE_TOO_LARGE' })),
    ).toBe('poison');
  });

  it('what the handler says about the message is poison: NonRetriableError, domain rules, validation', () => {
    expect(classifyFailure(new NonRetriableError('cannot decode OrderPaid'))).toBe('poison');
    expect(classifyFailure(new AppError('INVALID_ARGUMENT', 'AMOUNT_INVALID', 'bad'))).toBe(
      'poison',
    );
    const domain = Object.assign(new Error('no such order'), {
      kind: 'NOT_FOUND',
      code: 'ORDER_NOT_FOUND',
    });
    expect(classifyFailure(domain)).toBe('poison');
    // a NonRetriableError wrapping a connection error: the handler's word wins
    expect(
      classifyFailure(new NonRetriableError('no', { cause: withCode('x', 'ECONNREFUSED') })),
    ).toBe('poison');
  });

  it('a handler may mark its own errors: DependencyUnavailableError, a wrapped cause, or a classifier', () => {
    expect(classifyFailure(new DependencyUnavailableError('payment provider 503'))).toBe(
      'unavailable',
    );
    expect(
      classifyFailure(
        new Error('could not apply', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') }),
      ),
    ).toBe('unavailable');
    class ProductNotIndexedYet extends Error {}
    const mine = (e: unknown) => (e instanceof ProductNotIndexedYet ? 'unavailable' : undefined);
    expect(classifyFailure(new ProductNotIndexedYet(), [mine])).toBe('unavailable');
    expect(classifyFailure(new Error('other'), [mine])).toBe('unknown');
    // the service's rules come first, even over the built-in ones
    expect(classifyFailure(new DependencyUnavailableError('x'), [() => 'poison'])).toBe('poison');
  });

  it('anything else is unknown: a bug, a thrown string, undefined', () => {
    expect(
      classifyFailure(new TypeError("Cannot read properties of undefined (reading 'id')")),
    ).toBe('unknown');
    expect(classifyFailure('boom')).toBe('unknown');
    expect(classifyFailure(undefined)).toBe('unknown');
    expect(classifyFailure(new AppError('INTERNAL', 'INTERNAL', 'x'))).toBe('unknown');
  });
});
