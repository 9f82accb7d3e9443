import { status } from '@grpc/grpc-js';
import { Client } from 'pg';
import { catalogV1, PROTO_FILES } from '@emporia/contracts';
import { fromGrpcError, type RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  freePort,
  grpcTestClient,
  testEnv,
  testLogger,
  uniqueSuffix,
} from '@emporia/testing';
import { startCatalog } from '../src/catalog.app';
import { catalogConfigSchema } from '../src/config';

jest.setTimeout(120_000);

const CS = catalogV1.ComplianceStatus;
const REPORT = 'https://reports.example.com/qr/42.pdf';

/**
 * Compliance review on real Postgres over gRPC: a regulated product cannot be published without
 * review, can after approval, needs review again after an edit; the audit trail keeps every
 * step, refused publishes included (written outside the refused transaction).
 */
describe('catalog compliance review (real Postgres + Kafka)', () => {
  const prefix = `t${uniqueSuffix()}.`;
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let pg: Client;
  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (e: unknown) => fromGrpcError(e),
    );
  const getProduct = async (id: string) =>
    (await call<catalogV1.GetProductResponse>('getProduct', { id })).product!;
  const publish = (id: string) =>
    call<catalogV1.UpdateProductResponse>('updateProduct', { id, status: 'PRODUCT_STATUS_ACTIVE' });
  const submit = (productId: string, submittedBy = 'merchant-1', qualityReportRef = REPORT) =>
    call<catalogV1.SubmitComplianceReviewResponse>('submitComplianceReview', {
      productId,
      qualityReportRef,
      submittedBy,
    });
  const decide = (reviewId: string, approve: boolean, operatorId = 'op-1', reason = '') =>
    call<catalogV1.DecideComplianceReviewResponse>('decideComplianceReview', {
      reviewId,
      operatorId,
      approve,
      reason,
    });
  const audit = async (productId: string) =>
    (
      await call<catalogV1.GetComplianceAuditResponse>('getComplianceAudit', { productId })
    ).entries.map((e) => [e.action, e.actorId]);

  beforeAll(async () => {
    db = await createTestDatabase('catalog_compliance_it');
    const config = catalogConfigSchema.parse({
      CATALOG_DATABASE_URL: db.url,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      CATALOG_GRPC_PORT: String(await freePort()),
      CATALOG_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      CATALOG_MIGRATE_ON_START: 'true',
      CATALOG_CONSUMER_GROUP: `catalog-it${uniqueSuffix()}`,
      OUTBOX_POLL_MS: '50',
      CURRENCIES: 'CNY',
    });
    service = await startCatalog(config, testLogger('catalog'));
    client = grpcTestClient(
      PROTO_FILES.catalog,
      'emporia.catalog.v1.CatalogService',
      service.grpcUrl!,
    );
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    client?.close();
    await pg?.end();
    await service?.close();
    await db?.drop();
  });

  const category = async (name: string, parentId = '', regulated = false) =>
    (
      await call<catalogV1.CreateCategoryResponse>('createCategory', {
        name,
        slug: `${name.toLowerCase()}-${uniqueSuffix()}`,
        parentId,
        regulated,
      })
    ).category!;
  const draft = async (categoryId: string, title = 'Infant formula', brand = 'Emporia') =>
    (
      await call<catalogV1.CreateProductResponse>('createProduct', {
        title,
        brand,
        categoryId,
        status: 'PRODUCT_STATUS_DRAFT',
        skus: [{ code: `M-${uniqueSuffix()}`, price: { amountMinor: 19900, currency: 'CNY' } }],
      })
    ).product!;

  it('a regulated product cannot be published without review, can after approval, needs review again after an edit', async () => {
    const food = await category('Food', '', true);
    const milk = await category('Milk', food.id);
    expect(milk).toMatchObject({ regulated: true, regulatedMarked: false });
    const p = await draft(milk.id);
    expect(p.complianceStatus).toBe(CS.COMPLIANCE_STATUS_REQUIRED);

    const refused = await failure(publish(p.id));
    expect(refused).toMatchObject({
      status: status.FAILED_PRECONDITION,
      code: 'COMPLIANCE_REVIEW_REQUIRED',
    });
    expect(await getProduct(p.id)).toMatchObject({
      status: 'PRODUCT_STATUS_DRAFT',
      version: p.version,
    });

    const review = (await submit(p.id)).review!;
    expect(review).toMatchObject({
      status: CS.COMPLIANCE_STATUS_PENDING,
      productId: p.id,
      qualityReportRef: REPORT,
      submittedBy: 'merchant-1',
    });
    expect((await failure(decide(review.id, true, 'merchant-1'))).code).toBe(
      'REVIEW_SELF_DECISION',
    );
    expect((await failure(decide(review.id, false, 'op-1', ''))).code).toBe('REASON_REQUIRED');
    const approved = (await decide(review.id, true)).review!;
    expect(approved).toMatchObject({ status: CS.COMPLIANCE_STATUS_APPROVED, decidedBy: 'op-1' });
    expect((await failure(decide(review.id, false, 'op-2', 'no'))).code).toBe(
      'REVIEW_ALREADY_DECIDED',
    );

    const live = (await publish(p.id)).product!;
    expect(live).toMatchObject({
      status: 'PRODUCT_STATUS_ACTIVE',
      complianceStatus: CS.COMPLIANCE_STATUS_APPROVED,
    });

    // an edit of the reviewed content: a new review is needed, the product stays ACTIVE
    const edited = (
      await call<catalogV1.UpdateProductResponse>('updateProduct', {
        id: p.id,
        title: 'Infant formula, new recipe',
      })
    ).product!;
    expect(edited).toMatchObject({
      status: 'PRODUCT_STATUS_ACTIVE',
      complianceStatus: CS.COMPLIANCE_STATUS_REQUIRED,
    });
    await call('updateProduct', { id: p.id, status: 'PRODUCT_STATUS_ARCHIVED' });
    expect((await failure(publish(p.id))).code).toBe('COMPLIANCE_REVIEW_REQUIRED');

    expect(await audit(p.id)).toEqual([
      ['refused_publish', ''],
      ['submitted', 'merchant-1'],
      ['approved', 'op-1'],
      ['invalidated', ''],
      ['refused_publish', ''],
    ]);
    const reviews = (
      await pg.query(`SELECT status FROM compliance_reviews WHERE product_id = $1`, [p.id])
    ).rows;
    expect(reviews).toEqual([{ status: 'APPROVED' }]);
    // each change of the compliance status is a new snapshot through the outbox
    const statuses = (
      await pg.query<{ payload: Buffer }>(
        `SELECT payload FROM outbox WHERE message_key = $1 AND event_type = 'emporia.catalog.v1.ProductUpdated' ORDER BY seq`,
        [p.id],
      )
    ).rows.map((r) => catalogV1.ProductUpdated.decode(r.payload).product!.complianceStatus);
    expect(statuses).toEqual([
      CS.COMPLIANCE_STATUS_PENDING,
      CS.COMPLIANCE_STATUS_APPROVED,
      CS.COMPLIANCE_STATUS_APPROVED, // published
      CS.COMPLIANCE_STATUS_REQUIRED, // edited
      CS.COMPLIANCE_STATUS_REQUIRED, // archived
    ]);
  });

  it('refuses banned words and blacklisted brands (case- and width-insensitive), and products outside regulated categories', async () => {
    const rules = await call<catalogV1.ReplaceComplianceRulesResponse>('replaceComplianceRules', {
      bannedWords: ['最好', 'Miracle'],
      blacklistedBrands: ['ＡＣＭＥ'],
    });
    expect(rules).toEqual({ bannedWords: ['miracle', '最好'], blacklistedBrands: ['acme'] });
    expect(await call('getComplianceRules', {})).toEqual(rules);
    expect(
      (
        await failure(
          call('replaceComplianceRules', { bannedWords: ['a', 'A'], blacklistedBrands: [] }),
        )
      ).code,
    ).toBe('COMPLIANCE_RULES_INVALID');

    const baby = await category('Baby', '', true);
    const banned = await failure(
      submit((await draft(baby.id, '全网最好的 ＭＩＲＡＣＬＥ 奶粉')).id),
    );
    expect(banned).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'BANNED_WORDS' });
    expect(banned.message).toContain('miracle, 最好');
    const brand = await failure(submit((await draft(baby.id, 'Formula', 'acme')).id));
    expect(brand).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'BRAND_BLACKLISTED' });
    const noReport = await failure(
      submit((await draft(baby.id)).id, 'merchant-1', 'http://x.test/r'),
    );
    expect(noReport).toMatchObject({ code: 'QUALITY_REPORT_REQUIRED' });

    const plain = await draft((await category('Cups')).id);
    expect(plain.complianceStatus).toBe(CS.COMPLIANCE_STATUS_NOT_REQUIRED);
    expect(await failure(submit(plain.id))).toMatchObject({
      status: status.FAILED_PRECONDITION,
      code: 'NOT_REGULATED',
    });
    expect((await publish(plain.id)).product!.status).toBe('PRODUCT_STATUS_ACTIVE');
    // marking its category afterwards: still ACTIVE, but its status is REQUIRED
    await call('updateCategory', { id: plain.categoryId, regulated: true });
    expect((await getProduct(plain.id)).complianceStatus).toBe(CS.COMPLIANCE_STATUS_REQUIRED);
    // a rename leaves the mark alone (an unset optional field is not "false")
    const renamed = await call<catalogV1.UpdateCategoryResponse>('updateCategory', {
      id: plain.categoryId,
      name: 'Cups and bottles',
    });
    expect(renamed.category).toMatchObject({ regulated: true, regulatedMarked: true });
  });

  it('lists reviews by status with a page token', async () => {
    const cat = await category('Snacks', '', true);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await submit((await draft(cat.id, `Snack ${i}`)).id)).review!.id);
    await decide(ids[1], false, 'op-1', 'label missing');
    const list = (req: object) =>
      call<catalogV1.ListComplianceReviewsResponse>('listComplianceReviews', req);
    const rejected = await list({ status: CS.COMPLIANCE_STATUS_REJECTED, pageSize: 10 });
    expect(rejected.reviews.map((r) => [r.id, r.reason])).toEqual([[ids[1], 'label missing']]);
    const pending: string[] = [];
    let pageToken = '';
    do {
      const page = await list({ status: CS.COMPLIANCE_STATUS_PENDING, pageSize: 1, pageToken });
      pending.push(...page.reviews.map((r) => r.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(pending.filter((id) => ids.includes(id))).toEqual([ids[0], ids[2]]);
  });
});
