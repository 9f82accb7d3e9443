import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOfflineOpenApiDocument as buildDocument } from './openapi-offline';

type Operation = {
  operationId: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: Record<string, unknown> }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, unknown>;
  security?: Record<string, string[]>[];
};

/**
 * The OpenAPI document built from the controllers, without backends: the rules the server
 * enforces on every route must be in it (the fuzzing run in e2e/api-fuzz.int-spec.ts relies on it).
 */
describe('the OpenAPI contract', () => {
  let doc: OpenAPIObject;
  const operations: [string, string, Operation][] = [];

  beforeAll(async () => {
    doc = await buildDocument(['CNY', 'HKD']);
    for (const [path, item] of Object.entries(doc.paths))
      for (const [verb, op] of Object.entries(item)) operations.push([verb, path, op as Operation]);
  });

  const schemas = () => doc.components!.schemas as Record<string, Record<string, unknown>>;

  it('answers 400, 503 and 504 on every route, 413 and 415 where there is a body', () => {
    for (const [verb, path, op] of operations) {
      const statuses = Object.keys(op.responses);
      expect({ route: `${verb} ${path}`, has: statuses }).toEqual({
        route: `${verb} ${path}`,
        has: expect.arrayContaining([
          '400',
          '503',
          '504',
          ...(op.requestBody ? ['413', '415'] : []),
        ]),
      });
    }
  });

  it('gives every path parameter a schema of what it accepts', () => {
    for (const [verb, path, op] of operations)
      for (const p of (op.parameters ?? []).filter((p) => p.in === 'path'))
        expect({ route: `${verb} ${path}`, [p.name]: p.schema }).toEqual({
          route: `${verb} ${path}`,
          [p.name]: expect.objectContaining({ type: 'string' }),
        });
    const byId = (id: string) => operations.find(([, , op]) => op.operationId === id)![2];
    expect(byId('ProductsHttpController_get').parameters).toContainEqual(
      expect.objectContaining({ name: 'id', schema: { type: 'string', format: 'uuid' } }),
    );
  });

  it('marks public routes public, optional sign-in optional, and sign-in routes with 401', () => {
    const op = (verb: string, path: string) => doc.paths[path][verb as 'get'] as Operation;
    expect(op('get', '/v1/products').security).toEqual([{ bearer: [] }, {}]);
    expect(op('get', '/v1/categories').security).toBeUndefined();
    expect(op('post', '/v1/checkout').security).toEqual([{ bearer: [] }]);
    expect(Object.keys(op('post', '/v1/checkout').responses)).toContain('401');
    expect(Object.keys(op('post', '/v1/categories').responses)).toEqual(
      expect.arrayContaining(['401', '403']),
    );
    expect(Object.keys(op('get', '/v1/categories').responses)).not.toContain('401');
  });

  it('refuses unknown properties in every body schema, and requires the body (but where it may be left out)', () => {
    // routes that took no body and gained optional fields (@BodyMayBeOmitted: no body is {})
    const mayBeOmitted = new Set([
      'post /v1/admin/returns/{id}/receive',
      'post /v1/auth/passkey/options',
    ]);
    for (const [verb, path, op] of operations) {
      if (!op.requestBody) continue;
      expect({ route: `${verb} ${path}`, required: op.requestBody.required }).toEqual({
        route: `${verb} ${path}`,
        required: !mayBeOmitted.has(`${verb} ${path}`),
      });
      const ref = op.requestBody.content['application/json']?.schema.$ref;
      if (!ref) continue;
      const name = ref.replace('#/components/schemas/', '');
      expect({ name, additionalProperties: schemas()[name].additionalProperties }).toEqual({
        name,
        additionalProperties: false,
      });
    }
  });

  it('states what the validators check: integers, lengths, patterns, "exactly one of"', () => {
    const products = doc.paths['/v1/products'].get as Operation;
    expect(products.parameters!.find((p) => p.name === 'limit')!.schema).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 100,
    });
    expect(schemas().CreateCategoryDto.properties).toMatchObject({
      name: { type: 'string', minLength: 1, maxLength: 100 },
    });
    expect(schemas().ClaimCouponDto).toMatchObject({
      oneOf: [{ required: ['code'] }, { required: ['templateId'] }],
    });
  });

  it('takes only the configured currencies, in bodies and queries', () => {
    expect((schemas().MoneyDto.properties as Record<string, unknown>).currency).toMatchObject({
      enum: ['CNY', 'HKD'],
    });
    const search = doc.paths['/v1/search/products'].get as Operation;
    expect(search.parameters!.find((p) => p.name === 'currency')!.schema).toMatchObject({
      enum: ['CNY', 'HKD'],
    });
  });

  it('refuses control characters in text, and line breaks outside free text', () => {
    const category = schemas().CreateCategoryDto.properties as Record<string, { not?: object }>;
    expect(category.name.not).toEqual({
      type: 'string',
      pattern: expect.stringContaining('\\u0000-\\u001F'),
    });
    const product = schemas().CreateProductDto.properties as Record<string, { not?: object }>;
    // a description may have line breaks, no other control character
    expect(product.description.not).toEqual({
      type: 'string',
      pattern: expect.stringContaining('\\u000B\\u000C\\u000E-\\u001F'),
    });
    // a nullable string's rule is about strings only: its null is not refused by the document
    // (a `not` of a bare pattern matches null, which the API takes: schemathesis found it)
    const prefs = schemas().PreferencesDto.properties as Record<
      string,
      { type?: unknown; not?: object }
    >;
    expect(prefs.quietHoursStart.type).toEqual(['string', 'null']);
    expect(prefs.quietHoursStart.not).toMatchObject({ type: 'string' });
    const search = doc.paths['/v1/search/products'].get as Operation;
    expect(search.parameters!.find((p) => p.name === 'q')!.schema).toHaveProperty('not');
  });

  it('says "or null" the OpenAPI 3.1 way', () => {
    expect(JSON.stringify(doc)).not.toContain('"nullable"');
    expect((schemas().MoveCategoryDto.properties as Record<string, unknown>).newParentId).toEqual(
      expect.objectContaining({ type: ['string', 'null'] }),
    );
  });
});

describe('the OpenAPI contract of the analytics routes', () => {
  let doc: OpenAPIObject;

  beforeAll(async () => {
    doc = await buildDocument(['CNY']);
  });

  const op = (verb: 'get' | 'post' | 'put', path: string) => doc.paths[path][verb] as Operation;

  it('documents POST /v1/events: optional sign-in, 202, the INVALID_EVENTS problem, 413 and 429', () => {
    const events = op('post', '/v1/events');
    expect(events.security).toEqual([{ bearer: [] }, {}]);
    expect(Object.keys(events.responses)).toEqual(
      expect.arrayContaining(['202', '400', '413', '429', '503']),
    );
    expect(JSON.stringify(events.responses['400'])).toContain('InvalidEventsProblemView');
    const schemas = doc.components!.schemas as Record<string, { properties?: object }>;
    expect(Object.keys(schemas.InvalidEventsProblemView.properties!)).toEqual(
      expect.arrayContaining(['code', 'accepted', 'errors']),
    );
    expect(schemas.IngestEventsDto.properties).toMatchObject({
      events: { type: 'array', minItems: 1, maxItems: 100 },
    });
  });

  it('states the query rules of the operator routes: days, months, enums', () => {
    const kpis = op('get', '/v1/admin/analytics/kpis');
    expect(kpis.security).toEqual([{ bearer: [] }]);
    expect(kpis.parameters!.find((p) => p.name === 'from')).toMatchObject({
      required: true,
      schema: { type: 'string', format: 'date' },
    });
    const retention = op('get', '/v1/admin/analytics/retention');
    expect(retention.parameters!.find((p) => p.name === 'fromMonth')!.schema).toMatchObject({
      pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
    });
    const funnel = op('get', '/v1/admin/analytics/funnel');
    expect(funnel.parameters!.find((p) => p.name === 'device')!.schema).toMatchObject({
      enum: ['mobile', 'desktop', 'tablet', 'app'],
    });
    const audiences = op('post', '/v1/admin/analytics/audiences');
    expect(audiences.parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }),
    );
    expect(op('put', '/v1/admin/skus/{skuId}/price').parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', required: true }),
    );
    expect(op('get', '/v1/products/{productId}/recommendations').security).toBeUndefined();
    expect(
      op('put', '/v1/admin/analytics/experiments/{key}').parameters!.find((p) => p.name === 'key')!
        .schema,
    ).toMatchObject({ type: 'string', pattern: '^[a-z0-9_-]{1,64}$' });
  });
});

describe('the OpenAPI contract of the support and review routes', () => {
  let doc: OpenAPIObject;

  beforeAll(async () => {
    doc = await buildDocument(['CNY']);
  });

  const op = (verb: 'get' | 'post' | 'put' | 'delete', path: string) => {
    const found = doc.paths[path]?.[verb] as Operation | undefined;
    if (!found) throw new Error(`no ${verb.toUpperCase()} ${path} in the document`);
    return found;
  };
  const description = (o: Operation, status: string) =>
    (o.responses[status] as { description: string }).description;

  it('lists every route the brief names, signed in where it must be', () => {
    const customer: ['get' | 'post' | 'put' | 'delete', string][] = [
      ['post', '/v1/support/tickets'],
      ['get', '/v1/support/tickets'],
      ['get', '/v1/support/tickets/{id}'],
      ['post', '/v1/support/tickets/{id}/messages'],
      ['post', '/v1/support/tickets/{id}/handoff'],
      ['post', '/v1/support/tickets/{id}/survey'],
      ['post', '/v1/support/tickets/{id}/reopen'],
      ['post', '/v1/reviews'],
      ['post', '/v1/reviews/{id}/follow-up'],
      ['post', '/v1/reviews/{id}/helpful'],
      ['get', '/v1/me/reviews'],
      ['get', '/v1/me/reviewable'],
    ];
    const withRole: ['get' | 'post' | 'put' | 'delete', string][] = [
      ['get', '/v1/agent/queues/{queue}/tickets'],
      ['get', '/v1/agent/tickets/{id}'],
      ['post', '/v1/agent/tickets/{id}/claim'],
      ['post', '/v1/agent/tickets/{id}/messages'],
      ['post', '/v1/agent/tickets/{id}/resolve'],
      ['post', '/v1/agent/tickets/{id}/escalate'],
      ['get', '/v1/agent/tickets/{id}/suggested-replies'],
      ['put', '/v1/agent/shift'],
      ['get', '/v1/agent/agents'],
      ['get', '/v1/admin/support/templates'],
      ['post', '/v1/admin/support/templates'],
      ['put', '/v1/admin/support/templates/{id}'],
      ['delete', '/v1/admin/support/templates/{id}'],
      ['get', '/v1/admin/support/sla'],
      ['put', '/v1/admin/support/sla'],
      ['get', '/v1/admin/support/kpis'],
      ['get', '/v1/admin/support/insights'],
      ['get', '/v1/admin/reviews'],
      ['post', '/v1/admin/reviews/{id}/moderation'],
      ['put', '/v1/admin/reviews/{id}/reply'],
      ['get', '/v1/admin/reviews/banned-words'],
      ['put', '/v1/admin/reviews/banned-words'],
    ];
    for (const [verb, path] of [...customer, ...withRole]) {
      expect({ route: `${verb} ${path}`, security: op(verb, path).security }).toEqual({
        route: `${verb} ${path}`,
        security: [{ bearer: [] }],
      });
      expect(Object.keys(op(verb, path).responses)).toContain('401');
    }
    for (const [verb, path] of withRole)
      expect(Object.keys(op(verb, path).responses)).toContain('403');
    for (const path of ['/v1/products/{id}/reviews', '/v1/products/{id}/rating'])
      expect(op('get', path).security).toBeUndefined();
  });

  it("documents the services' codes per status, the rate limits and the CSV export", () => {
    const submit = op('post', '/v1/reviews');
    expect(description(submit, '409')).toContain('REVIEW_EXISTS');
    expect(description(submit, '404')).toContain('ORDER_NOT_FOUND');
    expect(description(submit, '422')).toContain('NOT_DELIVERED');
    expect(description(submit, '400')).toContain('VALIDATION_FAILED');
    expect(Object.keys(submit.responses)).toContain('429');
    expect(submit.parameters).toContainEqual(
      expect.objectContaining({ name: 'X-Device-Id', in: 'header' }),
    );
    expect(description(op('get', '/v1/support/tickets/{id}'), '404')).toContain('TICKET_NOT_FOUND');
    expect(description(op('post', '/v1/agent/tickets/{id}/claim'), '409')).toContain(
      'ALREADY_CLAIMED',
    );
    expect(Object.keys(op('post', '/v1/support/tickets').responses)).toContain('429');
    const insights = op('get', '/v1/admin/support/insights');
    expect(Object.keys((insights.responses['200'] as { content: object }).content)).toEqual(
      expect.arrayContaining(['application/json', 'text/csv']),
    );
    expect(insights.parameters!.find((p) => p.name === 'week')).toMatchObject({
      required: true,
      schema: { pattern: '^\\d{4}-W(0[1-9]|[1-4]\\d|5[0-3])$' },
    });
  });

  it('states the body rules: ratings 1-5, at most nine https URLs, enumerations', () => {
    const schemas = doc.components!.schemas as Record<
      string,
      { properties: Record<string, object> }
    >;
    expect(schemas.SubmitReviewDto.properties.rating).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 5,
    });
    expect(schemas.SubmitReviewDto.properties.photoUrls).toMatchObject({
      type: 'array',
      maxItems: 9,
      items: { maxLength: 2048, pattern: '^https:\\/\\/\\S+$' },
    });
    expect(schemas.OpenTicketDto.properties.category).toMatchObject({
      enum: ['PRODUCT_QUALITY', 'LOGISTICS_DELAY', 'RETURN_REFUND', 'ACCOUNT', 'OTHER'],
    });
    // messages may span lines; subjects may not
    expect(JSON.stringify(schemas.OpenTicketDto.properties.body)).toContain('\\u000B');
    expect(JSON.stringify(schemas.OpenTicketDto.properties.subject)).not.toContain('\\u000B');
    const searchOp = op('get', '/v1/search/products');
    expect(searchOp.parameters!.find((p) => p.name === 'minRating')!.schema).toMatchObject({
      type: 'number',
      minimum: 1,
      maximum: 5,
    });
    expect(searchOp.parameters!.find((p) => p.name === 'sort')!.schema).toMatchObject({
      enum: expect.arrayContaining(['rating']),
    });
  });
});

describe('the OpenAPI contract of the notification and catalog operations routes', () => {
  let doc: OpenAPIObject;

  beforeAll(async () => {
    doc = await buildDocument(['CNY']);
  });

  type Verb = 'get' | 'post' | 'put' | 'delete';
  const op = (verb: Verb, path: string) => {
    const found = doc.paths[path]?.[verb] as Operation | undefined;
    if (!found) throw new Error(`no ${verb.toUpperCase()} ${path} in the document`);
    return found;
  };
  const description = (o: Operation, status: string) =>
    (o.responses[status] as { description: string }).description;

  it('lists every route of issue 18: customers signed in, operators by role, the rest public', () => {
    const customer: [Verb, string][] = [
      ['get', '/v1/me/notification-preferences'],
      ['put', '/v1/me/notification-preferences'],
      ['get', '/v1/me/push-devices'],
      ['post', '/v1/me/push-devices'],
      ['delete', '/v1/me/push-devices/{token}'],
      ['get', '/v1/me/notifications'],
    ];
    const operator: [Verb, string][] = [
      ['get', '/v1/admin/notifications/deliveries'],
      ['post', '/v1/admin/notifications/deliveries/{id}/retry'],
      ['get', '/v1/admin/notification-templates'],
      ['put', '/v1/admin/notification-templates/{key}/{channel}/{locale}'],
      ['put', '/v1/admin/skus/{skuId}/stock-thresholds/{warehouseCode}'],
      ['get', '/v1/admin/stock-thresholds'],
      ['get', '/v1/admin/low-stock'],
      ['put', '/v1/admin/products/{id}/listing-schedule'],
      ['put', '/v1/admin/products/{id}/tags'],
      ['get', '/v1/admin/tag-rules'],
      ['put', '/v1/admin/tag-rules'],
      ['post', '/v1/admin/products/{id}/compliance-reviews'],
      ['post', '/v1/admin/compliance-reviews/{id}/decision'],
      ['get', '/v1/admin/compliance-reviews'],
      ['get', '/v1/admin/products/{id}/compliance-audit'],
      ['get', '/v1/admin/compliance-rules'],
      ['put', '/v1/admin/compliance-rules'],
    ];
    for (const [verb, path] of [...customer, ...operator]) {
      expect({ route: `${verb} ${path}`, security: op(verb, path).security }).toEqual({
        route: `${verb} ${path}`,
        security: [{ bearer: [] }],
      });
      expect(Object.keys(op(verb, path).responses)).toContain('401');
    }
    for (const [verb, path] of operator)
      expect(Object.keys(op(verb, path).responses)).toContain('403');
    for (const [verb, path] of [
      ['get', '/v1/notifications/unsubscribe'],
      ['post', '/v1/notifications/unsubscribe'],
      ['post', '/v1/notifications/receipts/{provider}'],
    ] as [Verb, string][]) {
      expect(op(verb, path).security).toBeUndefined();
      expect(Object.keys(op(verb, path).responses)).toContain('429');
    }
  });

  it('documents the one-click form, the HTML confirmation, the signature header and the codes', () => {
    const oneClick = op('post', '/v1/notifications/unsubscribe');
    expect(Object.keys(oneClick.requestBody!.content).sort()).toEqual([
      'application/x-www-form-urlencoded',
      'multipart/form-data',
    ]);
    expect(oneClick.requestBody!.required).toBe(true);
    const link = op('get', '/v1/notifications/unsubscribe');
    expect(Object.keys((link.responses['200'] as { content: object }).content)).toEqual(
      expect.arrayContaining(['application/json', 'text/html']),
    );
    expect(link.parameters).toContainEqual(
      expect.objectContaining({ name: 'token', in: 'query', required: true }),
    );
    expect(description(link, '400')).toContain('UNSUBSCRIBE_TOKEN_INVALID');
    const receipt = op('post', '/v1/notifications/receipts/{provider}');
    expect(receipt.parameters).toContainEqual(
      expect.objectContaining({ name: 'X-Signature', in: 'header', required: true }),
    );
    expect(Object.keys(receipt.responses)).toEqual(expect.arrayContaining(['204', '401', '403']));
    expect(description(receipt, '403')).toContain('RECEIPT_SIGNATURE_INVALID');
    expect(
      description(op('post', '/v1/admin/notifications/deliveries/{id}/retry'), '422'),
    ).toContain('DELIVERY_NOT_DEAD');
    expect(description(op('patch' as Verb, '/v1/products/{id}'), '422')).toContain(
      'COMPLIANCE_REVIEW_REQUIRED',
    );
    const submit = op('post', '/v1/admin/products/{id}/compliance-reviews');
    expect(description(submit, '400')).toEqual(expect.stringContaining('QUALITY_REPORT_REQUIRED'));
    expect(description(submit, '400')).toContain('BANNED_WORDS');
    expect(description(submit, '422')).toContain('NOT_REGULATED');
    expect(description(op('post', '/v1/admin/compliance-reviews/{id}/decision'), '422')).toContain(
      'REVIEW_ALREADY_DECIDED',
    );
  });

  it('states the shapes: tags filter and facet, regulated categories, operators-only product fields', () => {
    const schemas = doc.components!.schemas as Record<
      string,
      { properties: Record<string, object>; required?: string[] }
    >;
    const search = op('get', '/v1/search/products');
    expect(search.parameters!.find((p) => p.name === 'tag')!.schema).toMatchObject({
      type: 'array',
    });
    expect(schemas.SearchItemView.properties.tags).toBeDefined();
    expect(schemas.FacetsView.properties.tags).toBeDefined();
    expect(schemas.CategoryView.required).toEqual(
      expect.arrayContaining(['regulated', 'regulatedMarked']),
    );
    expect(schemas.CreateCategoryDto.properties.regulated).toMatchObject({ type: 'boolean' });
    expect(schemas.ProductView.properties.tags).toBeDefined();
    expect(schemas.ProductView.properties).not.toHaveProperty('complianceStatus');
    expect(schemas.ProductAdminView.properties.complianceStatus).toMatchObject({
      enum: ['NOT_REQUIRED', 'REQUIRED', 'PENDING', 'APPROVED', 'REJECTED'],
    });
    expect(schemas.PreferencesDto.properties.quietHoursStart).toMatchObject({
      pattern: '^([01]\\d|2[0-3]):[0-5]\\d$',
    });
    expect(schemas.TagRuleDto.properties.kind).toMatchObject({
      enum: ['NEW_ARRIVAL', 'BEST_SELLER'],
    });
    expect(
      op('put', '/v1/admin/notification-templates/{key}/{channel}/{locale}').parameters!.find(
        (p) => p.name === 'channel',
      )!.schema,
    ).toMatchObject({ type: 'string', pattern: '^(EMAIL|SMS|PUSH)$' });
  });
});

describe('the OpenAPI contract of addresses, returns and risk rules (issue 24)', () => {
  let doc: OpenAPIObject;

  beforeAll(async () => {
    doc = await buildDocument(['CNY']);
  });

  type Schema = {
    properties: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  const schema = (name: string) => (doc.components!.schemas as Record<string, Schema>)[name];
  const op = (verb: 'get' | 'post' | 'put', path: string) => doc.paths[path][verb] as Operation;
  const CODES = ['provinceCode', 'cityCode', 'districtCode'];

  it("shows an order's and the address book's GB/T 2260 codes, which no request takes", () => {
    for (const name of ['OrderAddressView', 'AddressView']) {
      expect({ name, required: schema(name).required }).toEqual({
        name,
        required: expect.arrayContaining(CODES),
      });
      for (const code of CODES)
        expect(schema(name).properties[code]).toMatchObject({ type: 'string' });
    }
    expect(schema('OrderView').properties.address).toEqual({
      $ref: '#/components/schemas/OrderAddressView',
    });
    for (const input of ['ShippingAddressDto', 'AddressDto'])
      expect(Object.keys(schema(input).properties)).not.toEqual(
        expect.arrayContaining(['provinceCode']),
      );
  });

  it('takes refundOnly on a review and an optional body on a receipt', () => {
    expect(schema('ReviewReturnDto').properties.refundOnly).toMatchObject({ type: 'boolean' });
    expect(schema('ReviewReturnDto').required).toEqual(['approve']);
    const receive = op('post', '/v1/admin/returns/{id}/receive');
    expect(receive.requestBody).toMatchObject({
      required: false,
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/ReceiveReturnDto' } },
      },
    });
    expect(schema('ReceiveReturnDto')).toMatchObject({
      additionalProperties: false,
      properties: {
        itemsMismatch: { type: 'boolean' },
        note: { type: 'string', maxLength: 500 },
      },
    });
    expect(schema('ReceiveReturnDto').required ?? []).toEqual([]);
    const review = op('post', '/v1/admin/returns/{id}/review');
    const said = (o: Operation, status: string) =>
      (o.responses[status] as { description: string }).description;
    expect(said(review, '400')).toContain('RETURN_REFUND_ONLY_NEEDS_APPROVE');
    expect(said(review, '422')).toContain('RETURN_REFUND_ONLY_NOT_REQUESTED');
    expect(said(receive, '422')).toContain('RETURN_TRANSITION_INVALID');
  });

  it('documents DISPUTED, REFUND_ONLY and the mismatch flag on a return', () => {
    const view = schema('ReturnView');
    expect(view.properties.status.enum).toEqual(expect.arrayContaining(['DISPUTED', 'REFUNDED']));
    expect(view.properties.kind.enum).toEqual(['REFUND', 'EXCHANGE', 'REFUND_ONLY']);
    expect(view.properties.itemsMismatch).toMatchObject({ type: 'boolean' });
    expect(view.required).toEqual(expect.arrayContaining(['itemsMismatch']));
  });

  it("takes and shows the new rule kinds, their dimensions and a return-rate rule's minSample", () => {
    for (const name of ['UpsertRuleDto', 'RuleView']) {
      const props = schema(name).properties;
      expect(props.kind.enum).toEqual(
        expect.arrayContaining(['ADDRESS_QUALITY', 'ADDRESS_SPREAD', 'RETURN_ABUSE']),
      );
      expect(props.dimension.enum).toEqual(
        expect.arrayContaining([
          'ANY',
          'DETAIL_VAGUE',
          'PHONE_OTHER_COUNTRY',
          'RECIPIENT_DOUBTFUL',
          'REGION_MISMATCH_IN_DETAIL',
          'RETURN_RATE',
          'EXCHANGES',
          'REFUNDS_WITHOUT_RETURN',
          'ITEMS_MISMATCH',
        ]),
      );
    }
    expect(schema('UpsertRuleDto').properties.minSample).toMatchObject({
      type: ['integer', 'null'],
      minimum: 1,
      maximum: 2_147_483_647,
    });
    expect(schema('RuleView').properties.minSample).toMatchObject({ type: ['number', 'null'] });
    expect(schema('RuleView').required).toEqual(expect.arrayContaining(['minSample']));
  });

  it("carries a field error's reason in the problem", () => {
    const errors = schema('ProblemView').properties.errors as {
      items: { properties: Record<string, unknown> };
    };
    expect(Object.keys(errors.items.properties)).toEqual(['field', 'message', 'reason']);
  });
});

describe('the OpenAPI contract of the account-security routes (issue 23)', () => {
  let doc: OpenAPIObject;

  beforeAll(async () => {
    doc = await buildDocument(['CNY']);
  });

  type Verb = 'get' | 'post' | 'put' | 'delete';
  const op = (verb: Verb, path: string) => {
    const found = doc.paths[path]?.[verb] as Operation | undefined;
    if (!found) throw new Error(`no ${verb.toUpperCase()} ${path} in the document`);
    return found;
  };
  const description = (o: Operation, status: string) =>
    (o.responses[status] as { description: string } | undefined)?.description ?? '';
  const schema = (name: string) =>
    (
      doc.components!.schemas as Record<
        string,
        { properties: Record<string, Record<string, unknown>>; required?: string[] }
      >
    )[name];

  it('lists every route, signed in but the sign-in code; the SMS sends rate limited', () => {
    const signedIn: [Verb, string][] = [
      ['get', '/v1/me/sessions'],
      ['delete', '/v1/me/sessions/{id}'],
      ['delete', '/v1/me/devices/{deviceId}'],
      ['get', '/v1/me/step-up'],
      ['post', '/v1/me/step-up/sms'],
      ['post', '/v1/me/step-up'],
      ['post', '/v1/me/password'],
      ['put', '/v1/me/email'],
      ['post', '/v1/me/phone/code'],
      ['put', '/v1/me/phone'],
      ['post', '/v1/me/mfa/sms'],
      ['post', '/v1/me/mfa/sms/code'],
    ];
    for (const [verb, path] of signedIn) {
      expect({ route: `${verb} ${path}`, security: op(verb, path).security }).toEqual({
        route: `${verb} ${path}`,
        security: [{ bearer: [] }],
      });
      expect(Object.keys(op(verb, path).responses)).toContain('401');
    }
    expect(op('post', '/v1/auth/login/mfa/sms').security).toBeUndefined();
    for (const [verb, path] of [
      ['post', '/v1/auth/login/mfa/sms'],
      ['post', '/v1/me/step-up/sms'],
      ['post', '/v1/me/phone/code'],
      ['post', '/v1/me/mfa/sms/code'],
    ] as [Verb, string][])
      expect(description(op(verb, path), '429')).toMatch(/SMS_CODE_COOLDOWN/);
    expect(op('delete', '/v1/me/sessions/{id}').parameters).toContainEqual(
      expect.objectContaining({ name: 'id', schema: { type: 'string', format: 'uuid' } }),
    );
    expect(op('delete', '/v1/me/devices/{deviceId}').parameters).toContainEqual(
      expect.objectContaining({
        name: 'deviceId',
        schema: expect.objectContaining({ pattern: expect.any(String) }),
      }),
    );
  });

  it('documents 403 STEP_UP_REQUIRED on the sensitive changes, the guarded MFA routes and checkout', () => {
    for (const [verb, path] of [
      ['post', '/v1/me/password'],
      ['put', '/v1/me/email'],
      ['post', '/v1/me/phone/code'],
      ['put', '/v1/me/phone'],
      ['post', '/v1/me/mfa/sms'],
      ['post', '/v1/me/mfa/sms/code'],
      ['post', '/v1/me/mfa/enrolment'],
      ['post', '/v1/me/mfa/disable'],
      ['post', '/v1/checkout'],
    ] as [Verb, string][])
      expect({ route: `${verb} ${path}`, d: description(op(verb, path), '403') }).toEqual({
        route: `${verb} ${path}`,
        d: expect.stringContaining('STEP_UP_REQUIRED'),
      });
    expect(description(op('post', '/v1/checkout'), '403')).toMatch(
      /ACCOUNT_FROZEN, ORDER_REJECTED/,
    );
  });

  it('states the bodies: a step-up by method, the MFA method, SMS on with a code', () => {
    expect(schema('StepUpDto').properties.method.enum).toEqual([
      'TOTP',
      'SMS',
      'RECOVERY_CODE',
      'PASSKEY',
      'PASSWORD',
    ]);
    expect(schema('StepUpDto').required).toEqual(['method']);
    expect(schema('MfaLoginDto').properties.method.enum).toEqual([
      'TOTP',
      'SMS',
      'RECOVERY_CODE',
      'PASSKEY',
    ]);
    expect(schema('SmsMfaDto').required).toEqual(['enabled']);
    expect(schema('LoginView').properties).toHaveProperty('mfaMethods');
    expect(schema('LoginView').properties.mfaPhoneMasked).toMatchObject({
      type: ['string', 'null'],
    });
    expect(schema('AccountDetailsView').required).toEqual(
      expect.arrayContaining(['totpEnabled', 'smsMfaEnabled', 'passkeyCount', 'recoveryCodesLeft']),
    );
    expect(Object.keys(schema('SessionsView').properties)).toEqual(['sessions', 'devices']);
  });
});
