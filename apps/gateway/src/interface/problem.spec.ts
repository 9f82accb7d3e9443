import { status } from '@grpc/grpc-js';
import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { RemoteCallError } from '@emporia/platform';
import { jsonFieldPath, ProblemError, toProblem } from './problem';

const remote = (s: status, code: string) =>
  new RemoteCallError('catalog', { status: s, code, message: `${code} happened`, details: {} });

describe('problem mapping', () => {
  it.each([
    [status.INVALID_ARGUMENT, 'SKU_PRICE_NEGATIVE', 400],
    [status.NOT_FOUND, 'PRODUCT_NOT_FOUND', 404],
    [status.ALREADY_EXISTS, 'SKU_CODE_TAKEN', 409],
    [status.ABORTED, 'PRODUCT_VERSION_CONFLICT', 409],
    [status.FAILED_PRECONDITION, 'CATEGORY_NOT_FOUND', 422],
    [status.PERMISSION_DENIED, 'FORBIDDEN', 403],
    [status.UNAUTHENTICATED, 'UNAUTHENTICATED', 401],
    [status.RESOURCE_EXHAUSTED, 'RATE_LIMITED', 429],
  ])('maps gRPC %s with code %s to HTTP %s keeping the code', (s, code, http) => {
    const { problem, unexpected } = toProblem(remote(s, code));
    expect(problem).toMatchObject({
      status: http,
      code,
      detail: `${code} happened`,
      type: `https://emporia.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    });
    expect(unexpected).toBe(false);
  });

  it.each([
    [status.UNAVAILABLE, 503, 'BACKEND_UNAVAILABLE', false],
    [status.DEADLINE_EXCEEDED, 504, 'BACKEND_TIMEOUT', false],
    [status.INTERNAL, 502, 'BACKEND_ERROR', true],
    [status.UNKNOWN, 502, 'BACKEND_ERROR', true],
  ])('hides backend failure %s behind %s %s', (s, http, code, unexpected) => {
    const r = toProblem(remote(s, 'WHATEVER'));
    expect(r.problem).toMatchObject({ status: http, code });
    expect(r.problem.detail).not.toContain('WHATEVER');
    expect(r.unexpected).toBe(unexpected);
  });

  it('says when to retry a backend outage: 503 BACKEND_UNAVAILABLE with Retry-After', () => {
    const r = toProblem(remote(status.UNAVAILABLE, 'DEPENDENCY_UNAVAILABLE'));
    expect(r.problem).toMatchObject({ status: 503, code: 'BACKEND_UNAVAILABLE' });
    expect(r.headers).toEqual({ 'retry-after': '2' });
    // a business refusal says nothing of retrying
    expect(toProblem(remote(status.NOT_FOUND, 'PRODUCT_NOT_FOUND')).headers).toBeUndefined();
  });

  it('answers STEP_UP_REQUIRED with 403 whatever its gRPC status (the user and order services say FAILED_PRECONDITION)', () => {
    for (const backend of ['user', 'order'])
      expect(
        toProblem(
          new RemoteCallError(backend, {
            status: status.FAILED_PRECONDITION,
            code: 'STEP_UP_REQUIRED',
            message: 'confirm it is you',
            details: {},
          }),
        ).problem,
      ).toMatchObject({ status: 403, code: 'STEP_UP_REQUIRED', detail: 'confirm it is you' });
  });

  it("says when a limited request may be retried: Retry-After from the backend's details", () => {
    const limited = (details: Record<string, unknown>) =>
      toProblem(
        new RemoteCallError('user', {
          status: status.RESOURCE_EXHAUSTED,
          code: 'SMS_CODE_COOLDOWN',
          message: 'wait before asking for another code',
          details,
        }),
      );
    expect(limited({ retryAfterSeconds: 42 })).toMatchObject({
      problem: { status: 429, code: 'SMS_CODE_COOLDOWN' },
      headers: { 'retry-after': '42' },
    });
    expect(limited({ retryAfterSeconds: 0.2 }).headers).toEqual({ 'retry-after': '1' });
    const at = new Date(Date.now() + 30_500).toISOString();
    expect(Number(limited({ resendAfter: at }).headers!['retry-after'])).toBeGreaterThanOrEqual(30);
    expect(Number(limited({ retryAt: at }).headers!['retry-after'])).toBeLessThanOrEqual(31);
    expect(limited({}).headers).toBeUndefined();
    expect(limited({ retryAfterSeconds: 'soon' }).headers).toBeUndefined();
    // only limits: a checkout still running (409) says nothing more than before
    expect(
      toProblem(
        new RemoteCallError('order', {
          status: status.ABORTED,
          code: 'CHECKOUT_IN_PROGRESS',
          message: 'still running',
          details: { retryAfterSeconds: 12 },
        }),
      ).headers,
    ).toBeUndefined();
  });

  it('an unavailable dependency of the gateway itself (Redis) is 503 DEPENDENCY_UNAVAILABLE, never 500', () => {
    for (const e of [
      Object.assign(new Error('Reached the max retries per request limit (which is 2).'), {
        name: 'MaxRetriesPerRequestError',
      }),
      new Error('Connection is closed.'),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }),
    ]) {
      const r = toProblem(e);
      expect([e.message, r.problem.status, r.problem.code, r.headers]).toEqual([
        e.message,
        503,
        'DEPENDENCY_UNAVAILABLE',
        { 'retry-after': '5' },
      ]);
      expect(r.problem.detail).not.toContain('6379');
    }
  });

  it('maps framework errors: malformed JSON, unknown route, media type, size', () => {
    expect(
      toProblem(
        new BadRequestException(
          "Body is not valid JSON but content-type is set to 'application/json'",
        ),
      ).problem,
    ).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
    expect(toProblem(new NotFoundException('Cannot GET /nope')).problem).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      detail: 'no such route',
    });
    expect(toProblem(new HttpException('Unsupported Media Type', 415)).problem).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    expect(toProblem(new HttpException('Request body is too large', 413)).problem).toMatchObject({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
  });

  describe("a backend's field details", () => {
    const invalid = (code: string, message: string, details: Record<string, unknown>) =>
      new RemoteCallError('order', { status: status.INVALID_ARGUMENT, code, message, details });

    it("keeps checkout's ADDRESS_INVALID field and reason, for a form to show by the field", () => {
      const { problem } = toProblem(
        invalid('ADDRESS_INVALID', '徐汇区 is not a district of 杭州市', {
          field: 'address.district',
          reason: 'DISTRICT_NOT_IN_CITY',
        }),
      );
      expect(problem).toMatchObject({
        status: 400,
        code: 'ADDRESS_INVALID',
        detail: '徐汇区 is not a district of 杭州市',
        errors: [
          {
            field: 'address.district',
            message: '徐汇区 is not a district of 杭州市',
            reason: 'DISTRICT_NOT_IN_CITY',
          },
        ],
      });
      // it reaches the client as JSON
      expect(JSON.parse(JSON.stringify(problem)).errors[0].reason).toBe('DISTRICT_NOT_IN_CITY');
    });

    it("names the field as the JSON body does: the address book's postal_code is postalCode", () => {
      expect(
        toProblem(
          invalid('ADDRESS_INVALID', 'not a postal code of 杭州市', {
            field: 'postal_code',
            reason: 'POSTAL_CODE_INVALID',
          }),
        ).problem.errors,
      ).toEqual([
        {
          field: 'postalCode',
          message: 'not a postal code of 杭州市',
          reason: 'POSTAL_CODE_INVALID',
        },
      ]);
      expect(jsonFieldPath('address.postal_code')).toBe('address.postalCode');
      expect(jsonFieldPath('experiment.start_at')).toBe('experiment.startAt');
      expect(jsonFieldPath('skus.0.price')).toBe('skus.0.price');
    });

    it('gives a field without a reason no reason, and no errors without a field', () => {
      expect(
        toProblem(invalid('ID_INVALID', 'request_id is not a UUID', { field: 'request_id' }))
          .problem.errors,
      ).toEqual([{ field: 'requestId', message: 'request_id is not a UUID' }]);
      expect(
        toProblem(invalid('ADDRESS_INVALID', 'bad', { reason: 'PHONE_INVALID' })).problem,
      ).not.toHaveProperty('errors');
      expect(
        toProblem(invalid('ADDRESS_INVALID', 'bad', { field: 42, reason: 'PHONE_INVALID' }))
          .problem,
      ).not.toHaveProperty('errors');
      // a reason that is not text is left out
      expect(
        toProblem(invalid('ADDRESS_INVALID', 'bad', { field: 'phone', reason: { x: 1 } })).problem
          .errors,
      ).toEqual([{ field: 'phone', message: 'bad' }]);
    });
  });

  it('keeps validation errors and hides internal ones', () => {
    const v = toProblem(
      new ProblemError(400, 'VALIDATION_FAILED', 'bad', [{ field: 'title', message: 'required' }]),
    ).problem;
    expect(v).toMatchObject({
      status: 400,
      title: 'Bad Request',
      errors: [{ field: 'title', message: 'required' }],
    });
    const i = toProblem(new Error('connection string postgres://secret'));
    expect(i.problem).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(JSON.stringify(i.problem)).not.toContain('secret');
    expect(i.unexpected).toBe(true);
  });
});
