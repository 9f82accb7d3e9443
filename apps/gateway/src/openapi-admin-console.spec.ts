import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOfflineOpenApiDocument } from './openapi-offline';

type Operation = {
  parameters?: { name: string; in: string; required?: boolean; schema?: Record<string, unknown> }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: object }> }>;
  security?: Record<string, string[]>[];
};
type Schema = {
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  additionalProperties?: boolean;
};

/**
 * The OpenAPI contract of the operators' console routes: operator-only, their filters and bodies
 * as the server checks them, the services' codes per status, and the views they answer with
 * (the same schemas as their neighbours').
 */
describe('the OpenAPI contract of the operator console routes', () => {
  let doc: OpenAPIObject;

  beforeAll(async () => {
    doc = await buildOfflineOpenApiDocument(['CNY']);
  });

  const op = (verb: 'get' | 'post', path: string) => {
    const found = doc.paths[path]?.[verb] as Operation | undefined;
    if (!found) throw new Error(`no ${verb.toUpperCase()} ${path} in the document`);
    return found;
  };
  const schema = (name: string) =>
    (doc.components!.schemas as Record<string, Schema>)[name] ?? { properties: {} };
  const param = (o: Operation, name: string) => o.parameters!.find((p) => p.name === name);
  const okSchema = (o: Operation) => o.responses['200'].content!['application/json'].schema;

  const routes: ['get' | 'post', string][] = [
    ['get', '/v1/admin/orders'],
    ['get', '/v1/admin/accounts'],
    ['get', '/v1/admin/flash-sales'],
    ['post', '/v1/admin/promotions/preview'],
  ];

  it('lists the four routes, for operators only', () => {
    for (const [verb, path] of routes) {
      const o = op(verb, path);
      expect({ path, security: o.security }).toEqual({ path, security: [{ bearer: [] }] });
      expect({ path, statuses: Object.keys(o.responses) }).toEqual({
        path,
        statuses: expect.arrayContaining(['200', '400', '401', '403', '503', '504']),
      });
    }
  });

  it("states the operators' order filters; the customer's listing has none", () => {
    const list = op('get', '/v1/admin/orders');
    expect(param(list, 'status')!.schema).toMatchObject({
      enum: expect.arrayContaining(['PENDING_REVIEW', 'PENDING_PAYMENT', 'PAID', 'REFUNDED']),
    });
    expect(param(list, 'accountId')!.schema).toMatchObject({ type: 'string', format: 'uuid' });
    expect(param(list, 'limit')!.schema).toMatchObject({ minimum: 1, maximum: 100 });
    expect(param(list, 'cursor')).toBeDefined();
    expect(okSchema(list)).toEqual({ $ref: '#/components/schemas/AdminOrderPage' });
    expect(schema('AdminOrderPage').properties.items).toMatchObject({
      items: { $ref: '#/components/schemas/AdminOrderView' },
    });
    expect(list.responses['400'].description).toContain('ORDER_STATUS_INVALID');
    const mine = op('get', '/v1/orders');
    expect(mine.parameters!.map((p) => p.name).sort()).toEqual(['cursor', 'limit']);
  });

  it('requires the identifier an account is found by, and names the codes of a bad one', () => {
    const find = op('get', '/v1/admin/accounts');
    expect(param(find, 'identifier')).toMatchObject({
      in: 'query',
      required: true,
      schema: { type: 'string', minLength: 1, maxLength: 254 },
    });
    expect(find.responses['400'].description).toEqual(
      expect.stringContaining('EMAIL_INVALID, PHONE_INVALID'),
    );
    expect(schema('AccountList').properties.items).toMatchObject({
      items: { $ref: '#/components/schemas/AccountView' },
    });
  });

  it('lists flash sales with the single read’s view, by status', () => {
    const list = op('get', '/v1/admin/flash-sales');
    expect(param(list, 'status')!.schema).toMatchObject({ enum: ['SCHEDULED', 'LIVE', 'ENDED'] });
    expect(schema('FlashSalePage').properties.items).toMatchObject({
      items: { $ref: '#/components/schemas/FlashSaleDetailView' },
    });
    expect(okSchema(op('get', '/v1/admin/flash-sales/{id}'))).toEqual({
      $ref: '#/components/schemas/FlashSaleDetailView',
    });
  });

  it("previews PUT's body and a sample cart, refusing anything else in it", () => {
    const preview = op('post', '/v1/admin/promotions/preview');
    expect(preview.requestBody).toMatchObject({
      required: true,
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/PreviewPromotionDto' } },
      },
    });
    const dto = schema('PreviewPromotionDto');
    const put = schema('UpsertPromotionDto');
    expect(dto.additionalProperties).toBe(false);
    expect(dto.properties).toMatchObject(put.properties);
    expect(Object.keys(dto.properties).sort()).toEqual(
      [...Object.keys(put.properties), 'lines', 'context'].sort(),
    );
    expect(dto.required).toEqual(expect.arrayContaining([...(put.required ?? []), 'lines']));
    expect(dto.properties.lines).toMatchObject({ type: 'array', minItems: 1, maxItems: 100 });
    expect(schema('SampleCartLineDto').properties.quantity).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 999,
    });
    expect(okSchema(preview)).toEqual({ $ref: '#/components/schemas/PromotionPreviewView' });
    expect(Object.keys(schema('PromotionPreviewView').properties).sort()).toEqual(
      ['discount', 'discounts', 'gifts', 'inForce', 'lines', 'subtotal', 'total'].sort(),
    );
    expect(preview.responses['400'].description).toContain('PROMOTION_INVALID');
    expect(preview.responses['404'].description).toContain('CAMPAIGN_NOT_FOUND');
  });
});
