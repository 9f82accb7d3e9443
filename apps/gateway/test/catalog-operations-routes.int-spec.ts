import { status } from '@grpc/grpc-js';
import type { RunningService } from '@emporia/platform';
import type { catalogV1, searchV1 } from '@emporia/contracts';
import { testLogger } from '@emporia/testing';
import { startGateway } from '../src/gateway.app';
import { grpcError, startFakeGrpc, type FakeService } from '@emporia/testing';
import { testGatewayConfig } from './support/gateway-config';
import { signer, verifierFor } from './support/token-signer';

jest.setTimeout(60_000);

const SHOPPER = '0190a000-0000-7000-8000-0000000000c1';
const OPERATOR = '0190a000-0000-7000-8000-0000000000e1';
const PRODUCT = '0190a000-0000-7000-8000-0000000000d1';
const REGULATED = '0190a000-0000-7000-8000-0000000000d2';
const MISSING = '0190a000-0000-7000-8000-00000000ffff';
const SKU = '0190a000-0000-7000-8000-0000000000b1';
const CATEGORY = '0190a000-0000-7000-8000-0000000000f1';
const REVIEW = '0190a000-0000-7000-8000-0000000000a9';
const DECIDED = '0190a000-0000-7000-8000-0000000000aa';

const product = (over: Partial<catalogV1.Product> = {}): catalogV1.Product => ({
  id: PRODUCT,
  title: 'Milk powder',
  description: '',
  brand: 'Feihe',
  categoryId: CATEGORY,
  categoryPathIds: [CATEGORY],
  status: 'PRODUCT_STATUS_ACTIVE' as catalogV1.ProductStatus,
  skus: [],
  version: 3,
  createdAt: '2026-11-01T00:00:00Z',
  updatedAt: '2026-11-01T00:00:00Z',
  unitsSold: 0,
  rating: undefined,
  tags: ['促销', '新品'],
  manualTags: ['促销'],
  publishAt: '2026-12-24T00:00:00+08:00',
  unpublishAt: '',
  complianceStatus: 'COMPLIANCE_STATUS_APPROVED' as catalogV1.ComplianceStatus,
  ...over,
});

const review = (over: Partial<catalogV1.ComplianceReview> = {}): catalogV1.ComplianceReview => ({
  id: REVIEW,
  productId: REGULATED,
  productVersion: 2,
  qualityReportRef: 'https://docs.example.com/qa/1.pdf',
  status: 'COMPLIANCE_STATUS_PENDING' as catalogV1.ComplianceStatus,
  submittedBy: OPERATOR,
  submittedAt: '2026-12-01T00:00:00Z',
  decidedBy: '',
  decidedAt: '',
  reason: '',
  ...over,
});

/**
 * The catalog's operations routes, the catalog fields they add to categories and products, and
 * the search tag filter, through the real gateway against test doubles of the catalog and search
 * at their gRPC boundary: the role each route needs, the shapes refused before any call, what
 * the gateway sends (the operator from the token, proto enumerations, cleared schedule times as
 * empty strings) and how the catalog's codes come back. The end-to-end suite
 * (e2e/catalog-operations.int-spec.ts) runs the real services.
 */
describe('gateway catalog operations routes', () => {
  let gateway: RunningService;
  let catalog: FakeService;
  let search: FakeService;
  const tokens: Record<string, string> = {};
  let rules: catalogV1.TagRule[] = [];

  beforeAll(async () => {
    const keys = await signer();
    tokens.shopper = await keys.sign(['customer'], { sub: SHOPPER });
    tokens.operator = await keys.sign(['customer', 'operator'], { sub: OPERATOR });
    const productOf = (id: string) => {
      if (id === MISSING) throw grpcError(status.NOT_FOUND, 'PRODUCT_NOT_FOUND', 'no product');
      return id === REGULATED
        ? product({
            id,
            status: 'PRODUCT_STATUS_DRAFT' as catalogV1.ProductStatus,
            complianceStatus: 'COMPLIANCE_STATUS_REQUIRED' as catalogV1.ComplianceStatus,
          })
        : product({ id });
    };
    catalog = await startFakeGrpc('catalog', {
      getProduct: (req: catalogV1.GetProductRequest) => ({ product: productOf(req.id) }),
      updateProduct: (req: catalogV1.UpdateProductRequest) => {
        if (req.id === REGULATED && req.status === 'PRODUCT_STATUS_ACTIVE')
          throw grpcError(
            status.FAILED_PRECONDITION,
            'COMPLIANCE_REVIEW_REQUIRED',
            'an approved compliance review is needed',
          );
        return { product: productOf(req.id) };
      },
      createCategory: (req: catalogV1.CreateCategoryRequest) => ({
        category: {
          id: CATEGORY,
          name: req.name,
          slug: req.slug,
          parentId: '',
          pathIds: [CATEGORY],
          depth: 0,
          createdAt: '2026-12-01T00:00:00Z',
          updatedAt: '2026-12-01T00:00:00Z',
          regulated: req.regulated,
          regulatedMarked: req.regulated,
        },
      }),
      updateCategory: (req: catalogV1.UpdateCategoryRequest) => ({
        category: {
          id: req.id,
          name: 'Baby food',
          slug: 'baby-food',
          parentId: '',
          pathIds: [req.id],
          depth: 0,
          createdAt: '2026-12-01T00:00:00Z',
          updatedAt: '2026-12-01T00:00:00Z',
          regulated: req.regulated ?? true,
          regulatedMarked: req.regulated ?? true,
        },
      }),
      setStockThreshold: (req: catalogV1.SetStockThresholdRequest) => {
        if (req.warehouseCode === 'NOWHERE')
          throw grpcError(status.NOT_FOUND, 'WAREHOUSE_NOT_FOUND', 'no warehouse');
        return {
          threshold: {
            skuId: req.skuId,
            warehouseCode: req.warehouseCode,
            threshold: req.threshold,
            low: req.threshold >= 5,
            lowSince: req.threshold >= 5 ? '2026-12-01T00:00:00Z' : '',
            updatedAt: '2026-12-01T00:00:00Z',
          },
        };
      },
      listStockThresholds: () => ({
        thresholds: [
          {
            skuId: SKU,
            warehouseCode: 'SH-PD',
            threshold: 5,
            low: false,
            lowSince: '',
            updatedAt: '2026-12-01T00:00:00Z',
          },
        ],
      }),
      listLowStock: (req: catalogV1.ListLowStockRequest) => ({
        items: [
          {
            skuId: SKU,
            skuCode: 'MILK-900',
            productId: PRODUCT,
            productTitle: 'Milk powder',
            warehouseCode: req.warehouseCode || 'SH-PD',
            onHand: 7,
            reserved: 3,
            available: 4,
            threshold: 5,
            lowSince: '2026-12-01T00:00:00Z',
          },
        ],
        nextPageToken: req.pageToken ? '' : 'more',
      }),
      scheduleListing: (req: catalogV1.ScheduleListingRequest) => {
        if (req.unpublishAt && req.publishAt && req.unpublishAt <= req.publishAt)
          throw grpcError(status.INVALID_ARGUMENT, 'SCHEDULE_INVALID', 'unpublish before publish');
        productOf(req.productId);
        return {
          product: product({
            id: req.productId,
            publishAt: req.publishAt,
            unpublishAt: req.unpublishAt,
          }),
        };
      },
      setProductTags: (req: catalogV1.SetProductTagsRequest) => {
        if (req.tags.includes('限时'))
          throw grpcError(status.INVALID_ARGUMENT, 'TAGS_INVALID', 'not allowed');
        return {
          product: product({ id: req.productId, manualTags: req.tags, tags: [...req.tags].sort() }),
        };
      },
      listTagRules: () => ({ rules }),
      replaceTagRules: (req: catalogV1.ReplaceTagRulesRequest) => {
        rules = req.rules;
        return { rules };
      },
      submitComplianceReview: (req: catalogV1.SubmitComplianceReviewRequest) => {
        if (req.productId === PRODUCT)
          throw grpcError(status.FAILED_PRECONDITION, 'NOT_REGULATED', 'not regulated');
        if (!req.qualityReportRef)
          throw grpcError(status.INVALID_ARGUMENT, 'QUALITY_REPORT_REQUIRED', 'a report');
        return {
          review: review({
            productId: req.productId,
            qualityReportRef: req.qualityReportRef,
            submittedBy: req.submittedBy,
          }),
        };
      },
      decideComplianceReview: (req: catalogV1.DecideComplianceReviewRequest) => {
        if (req.reviewId === DECIDED)
          throw grpcError(status.FAILED_PRECONDITION, 'REVIEW_ALREADY_DECIDED', 'decided');
        if (req.reviewId !== REVIEW)
          throw grpcError(status.NOT_FOUND, 'REVIEW_NOT_FOUND', 'no review');
        if (!req.approve && !req.reason)
          throw grpcError(status.INVALID_ARGUMENT, 'REASON_REQUIRED', 'why?');
        return {
          review: review({
            status: (req.approve
              ? 'COMPLIANCE_STATUS_APPROVED'
              : 'COMPLIANCE_STATUS_REJECTED') as catalogV1.ComplianceStatus,
            decidedBy: req.operatorId,
            decidedAt: '2026-12-02T00:00:00Z',
            reason: req.reason,
          }),
        };
      },
      listComplianceReviews: () => ({ reviews: [review()], nextPageToken: '' }),
      getComplianceAudit: (req: catalogV1.GetComplianceAuditRequest) => ({
        entries: [
          {
            id: '0190a000-0000-7000-8000-0000000000ab',
            productId: req.productId,
            reviewId: REVIEW,
            action: 'submitted',
            actorId: OPERATOR,
            detail: '',
            occurredAt: '2026-12-01T00:00:00Z',
          },
          {
            id: '0190a000-0000-7000-8000-0000000000ac',
            productId: req.productId,
            reviewId: '',
            action: 'refused_publish',
            actorId: '',
            detail: 'listing sweep',
            occurredAt: '2026-12-01T01:00:00Z',
          },
        ],
      }),
      getComplianceRules: () => ({ bannedWords: ['最好'], blacklistedBrands: [] }),
      replaceComplianceRules: (req: catalogV1.ReplaceComplianceRulesRequest) => ({
        bannedWords: req.bannedWords,
        blacklistedBrands: req.blacklistedBrands,
      }),
    });
    search = await startFakeGrpc('search', {
      searchProducts: () => ({
        hits: [
          {
            productId: PRODUCT,
            title: 'Milk powder',
            brand: 'Feihe',
            categoryId: CATEGORY,
            categoryNames: [],
            minPrice: { amountMinor: 100, currency: 'CNY' },
            maxPrice: { amountMinor: 100, currency: 'CNY' },
            inStock: true,
            unitsSold: 0,
            score: 1,
            ratingAverage: 0,
            reviewCount: 0,
            tags: ['促销', '新品'],
          } satisfies Partial<searchV1.ProductHit>,
        ],
        total: 1,
        nextPageToken: '',
        facets: {
          categories: [],
          brands: [],
          priceRanges: [],
          attributes: [],
          tags: [
            { value: '新品', label: '', count: 1 },
            { value: '促销', label: '', count: 1 },
          ],
        },
      }),
    });
    const config = await testGatewayConfig('catalog-ops', {
      CATALOG_GRPC_URL: catalog.url,
      SEARCH_GRPC_URL: search.url,
    });
    const verifier = verifierFor(keys.jwks);
    gateway = await startGateway(config, testLogger('gateway'), { verifier });
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([catalog?.stop(), search?.stop()]);
  });

  const call = async (method: string, path: string, body?: unknown, who?: string) => {
    const res = await fetch(`${gateway.httpUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes
      body: (text ? JSON.parse(text) : {}) as any,
    };
  };
  const callsOf = (method: string) => catalog.calls.get(method)?.length ?? 0;

  const operatorRoutes: [string, string, unknown?][] = [
    ['PUT', `/v1/admin/skus/${SKU}/stock-thresholds/SH-PD`, { threshold: 5 }],
    ['GET', '/v1/admin/stock-thresholds'],
    ['GET', '/v1/admin/low-stock'],
    ['PUT', `/v1/admin/products/${PRODUCT}/listing-schedule`, { publishAt: null }],
    ['PUT', `/v1/admin/products/${PRODUCT}/tags`, { tags: [] }],
    ['GET', '/v1/admin/tag-rules'],
    ['PUT', '/v1/admin/tag-rules', { rules: [] }],
    ['POST', `/v1/admin/products/${REGULATED}/compliance-reviews`, { qualityReportRef: 'x' }],
    ['POST', `/v1/admin/compliance-reviews/${REVIEW}/decision`, { approve: true }],
    ['GET', '/v1/admin/compliance-reviews'],
    ['GET', `/v1/admin/products/${REGULATED}/compliance-audit`],
    ['GET', '/v1/admin/compliance-rules'],
    ['PUT', '/v1/admin/compliance-rules', { bannedWords: [], blacklistedBrands: [] }],
  ];

  it('refuses anonymous callers (401) and customers (403) on every operations route, before the catalog', async () => {
    const before = [...catalog.calls.values()].reduce((n, c) => n + c.length, 0);
    for (const [method, path, body] of operatorRoutes) {
      expect({ path, status: (await call(method, path, body)).status }).toEqual({
        path,
        status: 401,
      });
      const r = await call(method, path, body, 'shopper');
      expect({ path, status: r.status, code: r.body.code }).toEqual({
        path,
        status: 403,
        code: 'ROLE_REQUIRED',
      });
    }
    expect([...catalog.calls.values()].reduce((n, c) => n + c.length, 0)).toBe(before);
  });

  it('sets a stock threshold and lists thresholds and low stock with its cursor', async () => {
    const set = await call(
      'PUT',
      `/v1/admin/skus/${SKU}/stock-thresholds/SH-PD`,
      { threshold: 5 },
      'operator',
    );
    expect(set).toMatchObject({
      status: 200,
      body: { skuId: SKU, warehouseCode: 'SH-PD', threshold: 5, low: true },
    });
    expect(catalog.last('setStockThreshold')).toEqual({
      skuId: SKU,
      warehouseCode: 'SH-PD',
      threshold: 5,
    });
    const removed = await call(
      'PUT',
      `/v1/admin/skus/${SKU}/stock-thresholds/SH-PD`,
      { threshold: 0 },
      'operator',
    );
    expect(removed.body).toMatchObject({ threshold: 0, low: false, lowSince: null });
    const calls = callsOf('setStockThreshold');
    for (const body of [{ threshold: -1 }, { threshold: 1.5 }, { threshold: '5' }, {}])
      expect(
        await call('PUT', `/v1/admin/skus/${SKU}/stock-thresholds/SH-PD`, body, 'operator'),
      ).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(
      await call(
        'PUT',
        `/v1/admin/skus/${SKU}/stock-thresholds/no%20such`,
        { threshold: 1 },
        'operator',
      ),
    ).toMatchObject({ status: 400, body: { code: 'WAREHOUSE_CODE_INVALID' } });
    expect(
      await call(
        'PUT',
        '/v1/admin/skus/sku-1/stock-thresholds/SH-PD',
        { threshold: 1 },
        'operator',
      ),
    ).toMatchObject({ status: 400, body: { code: 'ID_INVALID' } });
    expect(callsOf('setStockThreshold')).toBe(calls);
    expect(
      await call(
        'PUT',
        `/v1/admin/skus/${SKU}/stock-thresholds/NOWHERE`,
        { threshold: 1 },
        'operator',
      ),
    ).toMatchObject({ status: 404, body: { code: 'WAREHOUSE_NOT_FOUND' } });

    const list = await call(
      'GET',
      `/v1/admin/stock-thresholds?skuId=${SKU}`,
      undefined,
      'operator',
    );
    expect(list.body.items).toEqual([expect.objectContaining({ skuId: SKU, lowSince: null })]);
    expect(catalog.last('listStockThresholds')).toEqual({ skuId: SKU });

    const low = await call(
      'GET',
      '/v1/admin/low-stock?warehouse=BJ-CY&limit=10',
      undefined,
      'operator',
    );
    expect(low).toMatchObject({
      status: 200,
      body: {
        items: [{ skuCode: 'MILK-900', warehouseCode: 'BJ-CY', available: 4, threshold: 5 }],
        nextCursor: 'more',
      },
    });
    expect(catalog.last('listLowStock')).toEqual({
      warehouseCode: 'BJ-CY',
      pageSize: 10,
      pageToken: '',
    });
    const next = await call('GET', '/v1/admin/low-stock?cursor=more', undefined, 'operator');
    expect(next.body.nextCursor).toBeNull();
    expect(await call('GET', '/v1/admin/low-stock?limit=501', undefined, 'operator')).toMatchObject(
      { status: 400 },
    );
  });

  it('schedules listing (null clears a time) and sets manual tags, with the catalog codes', async () => {
    const set = await call(
      'PUT',
      `/v1/admin/products/${PRODUCT}/listing-schedule`,
      { publishAt: '2026-12-24T00:00:00+08:00', unpublishAt: null, expectedVersion: 3 },
      'operator',
    );
    expect(set).toMatchObject({
      status: 200,
      body: { id: PRODUCT, publishAt: '2026-12-24T00:00:00+08:00', unpublishAt: null },
    });
    expect(catalog.last('scheduleListing')).toEqual({
      productId: PRODUCT,
      publishAt: '2026-12-24T00:00:00+08:00',
      unpublishAt: '',
      expectedVersion: 3,
    });
    expect(
      await call(
        'PUT',
        `/v1/admin/products/${PRODUCT}/listing-schedule`,
        { publishAt: '2026-12-24T00:00:00+08:00', unpublishAt: '2026-12-01T00:00:00+08:00' },
        'operator',
      ),
    ).toMatchObject({ status: 400, body: { code: 'SCHEDULE_INVALID' } });
    expect(
      await call(
        'PUT',
        `/v1/admin/products/${PRODUCT}/listing-schedule`,
        { publishAt: 'Christmas' },
        'operator',
      ),
    ).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(
      await call('PUT', `/v1/admin/products/${MISSING}/listing-schedule`, {}, 'operator'),
    ).toMatchObject({ status: 404, body: { code: 'PRODUCT_NOT_FOUND' } });

    const tagged = await call(
      'PUT',
      `/v1/admin/products/${PRODUCT}/tags`,
      { tags: ['促销', '爆款'] },
      'operator',
    );
    expect(tagged).toMatchObject({
      status: 200,
      body: { manualTags: ['促销', '爆款'], tags: ['促销', '爆款'].sort() },
    });
    expect(catalog.last('setProductTags')).toEqual({
      productId: PRODUCT,
      tags: ['促销', '爆款'],
      expectedVersion: 0,
    });
    const calls = callsOf('setProductTags');
    for (const tags of [
      Array.from({ length: 11 }, (_, i) => `t${i}`),
      ['x'.repeat(21)],
      [''],
      'promo',
    ])
      expect(
        await call('PUT', `/v1/admin/products/${PRODUCT}/tags`, { tags }, 'operator'),
      ).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(callsOf('setProductTags')).toBe(calls);
    expect(
      await call('PUT', `/v1/admin/products/${PRODUCT}/tags`, { tags: ['限时'] }, 'operator'),
    ).toMatchObject({ status: 400, body: { code: 'TAGS_INVALID' } });
  });

  it('replaces the tag rules, and what GET shows can be PUT back', async () => {
    const put = await call(
      'PUT',
      '/v1/admin/tag-rules',
      {
        rules: [
          { tag: '新品', kind: 'NEW_ARRIVAL', days: 30 },
          { tag: '爆款', kind: 'BEST_SELLER', days: 7, top: 20, minUnits: 1 },
        ],
      },
      'operator',
    );
    expect(put.status).toBe(200);
    expect(catalog.last('replaceTagRules')).toEqual({
      rules: [
        { tag: '新品', kind: 'TAG_RULE_KIND_NEW_ARRIVAL', days: 30, top: 0, minUnits: 0 },
        { tag: '爆款', kind: 'TAG_RULE_KIND_BEST_SELLER', days: 7, top: 20, minUnits: 1 },
      ],
    });
    const got = await call('GET', '/v1/admin/tag-rules', undefined, 'operator');
    expect(got.body.rules).toEqual([
      { tag: '新品', kind: 'NEW_ARRIVAL', days: 30, top: null, minUnits: null },
      { tag: '爆款', kind: 'BEST_SELLER', days: 7, top: 20, minUnits: 1 },
    ]);
    expect(
      await call('PUT', '/v1/admin/tag-rules', { rules: got.body.rules }, 'operator'),
    ).toMatchObject({
      status: 200,
      body: { rules: got.body.rules },
    });
    expect(
      await call(
        'PUT',
        '/v1/admin/tag-rules',
        { rules: [{ tag: 'x', kind: 'TRENDING', days: 1 }] },
        'operator',
      ),
    ).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  it('runs the compliance review: submit as the operator, decide, list, audit, rules', async () => {
    const submitted = await call(
      'POST',
      `/v1/admin/products/${REGULATED}/compliance-reviews`,
      { qualityReportRef: 'https://docs.example.com/qa/1.pdf' },
      'operator',
    );
    expect(submitted).toMatchObject({
      status: 201,
      body: { id: REVIEW, status: 'PENDING', submittedBy: OPERATOR, decidedAt: null },
    });
    expect(catalog.last('submitComplianceReview')).toEqual({
      productId: REGULATED,
      qualityReportRef: 'https://docs.example.com/qa/1.pdf',
      submittedBy: OPERATOR,
    });
    expect(
      await call(
        'POST',
        `/v1/admin/products/${REGULATED}/compliance-reviews`,
        { qualityReportRef: '' },
        'operator',
      ),
    ).toMatchObject({ status: 400, body: { code: 'QUALITY_REPORT_REQUIRED' } });
    expect(
      await call(
        'POST',
        `/v1/admin/products/${PRODUCT}/compliance-reviews`,
        { qualityReportRef: 'r' },
        'operator',
      ),
    ).toMatchObject({ status: 422, body: { code: 'NOT_REGULATED' } });
    expect(
      await call(
        'POST',
        `/v1/admin/products/${REGULATED}/compliance-reviews`,
        { qualityReportRef: 'r', submittedBy: SHOPPER },
        'operator',
      ),
    ).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });

    const approved = await call(
      'POST',
      `/v1/admin/compliance-reviews/${REVIEW}/decision`,
      { approve: true },
      'operator',
    );
    expect(approved).toMatchObject({
      status: 200,
      body: { status: 'APPROVED', decidedBy: OPERATOR, reason: null },
    });
    expect(catalog.last('decideComplianceReview')).toEqual({
      reviewId: REVIEW,
      operatorId: OPERATOR,
      approve: true,
      reason: '',
    });
    expect(
      await call(
        'POST',
        `/v1/admin/compliance-reviews/${REVIEW}/decision`,
        { approve: false },
        'operator',
      ),
    ).toMatchObject({ status: 400, body: { code: 'REASON_REQUIRED' } });
    expect(
      await call(
        'POST',
        `/v1/admin/compliance-reviews/${DECIDED}/decision`,
        { approve: true },
        'operator',
      ),
    ).toMatchObject({ status: 422, body: { code: 'REVIEW_ALREADY_DECIDED' } });
    expect(
      await call(
        'POST',
        `/v1/admin/compliance-reviews/${MISSING}/decision`,
        { approve: true },
        'operator',
      ),
    ).toMatchObject({ status: 404, body: { code: 'REVIEW_NOT_FOUND' } });
    expect(
      await call(
        'POST',
        `/v1/admin/compliance-reviews/${REVIEW}/decision`,
        { approve: 'yes' },
        'operator',
      ),
    ).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });

    const pending = await call(
      'GET',
      '/v1/admin/compliance-reviews?status=PENDING',
      undefined,
      'operator',
    );
    expect(pending.body).toMatchObject({ items: [{ id: REVIEW }], nextCursor: null });
    expect(catalog.last('listComplianceReviews')).toEqual({
      status: 'COMPLIANCE_STATUS_PENDING',
      pageSize: 0,
      pageToken: '',
    });
    expect(
      await call('GET', '/v1/admin/compliance-reviews?status=MAYBE', undefined, 'operator'),
    ).toMatchObject({ status: 400 });
    const audit = await call(
      'GET',
      `/v1/admin/products/${REGULATED}/compliance-audit`,
      undefined,
      'operator',
    );
    expect(audit.body.items).toEqual([
      expect.objectContaining({ action: 'submitted', actorId: OPERATOR, reviewId: REVIEW }),
      expect.objectContaining({ action: 'refused_publish', actorId: null, reviewId: null }),
    ]);
    const rules = await call('GET', '/v1/admin/compliance-rules', undefined, 'operator');
    expect(rules.body).toEqual({ bannedWords: ['最好'], blacklistedBrands: [] });
    const put = await call(
      'PUT',
      '/v1/admin/compliance-rules',
      { bannedWords: ['最好', '第一'], blacklistedBrands: ['Fakeco'] },
      'operator',
    );
    expect(put.body).toEqual({ bannedWords: ['最好', '第一'], blacklistedBrands: ['Fakeco'] });
    expect(
      await call(
        'PUT',
        '/v1/admin/compliance-rules',
        { bannedWords: [''], blacklistedBrands: [] },
        'operator',
      ),
    ).toMatchObject({ status: 400 });
  });

  it('refuses publishing an unreviewed regulated product with 422 COMPLIANCE_REVIEW_REQUIRED', async () => {
    expect(
      await call('PATCH', `/v1/products/${REGULATED}`, { status: 'active' }, 'operator'),
    ).toMatchObject({
      status: 422,
      body: {
        code: 'COMPLIANCE_REVIEW_REQUIRED',
        type: 'https://emporia.dev/problems/compliance-review-required',
      },
    });
  });

  it('shows shoppers the tags only; operators also the schedule and the compliance status', async () => {
    const shopper = await call('GET', `/v1/products/${PRODUCT}`, undefined, 'shopper');
    expect(shopper.body.tags).toEqual(['促销', '新品']);
    for (const field of ['manualTags', 'publishAt', 'unpublishAt', 'complianceStatus'])
      expect(shopper.body).not.toHaveProperty(field);
    const anonymous = await call('GET', `/v1/products/${PRODUCT}`);
    expect(anonymous.body).not.toHaveProperty('complianceStatus');
    const operator = await call('GET', `/v1/products/${PRODUCT}`, undefined, 'operator');
    expect(operator.body).toMatchObject({
      tags: ['促销', '新品'],
      manualTags: ['促销'],
      publishAt: '2026-12-24T00:00:00+08:00',
      unpublishAt: null,
      complianceStatus: 'APPROVED',
    });
  });

  it('marks categories regulated on create and update, and shows the mark', async () => {
    const created = await call(
      'POST',
      '/v1/categories',
      { name: 'Baby food', slug: 'baby-food', regulated: true },
      'operator',
    );
    expect(created).toMatchObject({
      status: 201,
      body: { regulated: true, regulatedMarked: true },
    });
    expect(catalog.last('createCategory')).toMatchObject({ regulated: true });
    await call('POST', '/v1/categories', { name: 'Toys', slug: 'toys' }, 'operator');
    expect(catalog.last('createCategory')).toMatchObject({ regulated: false });
    const unmarked = await call(
      'PATCH',
      `/v1/categories/${CATEGORY}`,
      { regulated: false },
      'operator',
    );
    expect(unmarked).toMatchObject({ status: 200, body: { regulated: false } });
    expect(catalog.last('updateCategory')).toMatchObject({ id: CATEGORY, regulated: false });
    await call('PATCH', `/v1/categories/${CATEGORY}`, { name: 'Baby food' }, 'operator');
    expect(catalog.last('updateCategory')).not.toHaveProperty('regulated');
    expect(
      await call('PATCH', `/v1/categories/${CATEGORY}`, { regulated: 'yes' }, 'operator'),
    ).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  it('filters search by any of the tags, and shows hit tags and the tags facet', async () => {
    const r = await call(
      'GET',
      `/v1/search/products?tag=${encodeURIComponent('新品')}&tag=${encodeURIComponent('促销')}&facets=true`,
    );
    expect(r.status).toBe(200);
    expect(search.last('searchProducts')).toMatchObject({ tags: ['新品', '促销'] });
    expect(r.body.items[0].tags).toEqual(['促销', '新品']);
    expect(r.body.facets.tags).toEqual([
      { value: '新品', count: 1 },
      { value: '促销', count: 1 },
    ]);
    await call('GET', `/v1/search/products?tag=${encodeURIComponent('新品')}`);
    expect(search.last('searchProducts')).toMatchObject({ tags: ['新品'] });
    await call('GET', '/v1/search/products');
    expect(search.last('searchProducts')).toMatchObject({ tags: [] });
    expect(await call('GET', `/v1/search/products?tag=${'x'.repeat(21)}`)).toMatchObject({
      status: 400,
    });
  });
});
