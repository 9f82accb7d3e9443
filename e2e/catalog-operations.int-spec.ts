import { randomUUID } from 'node:crypto';
import { anHttpCheckout, eventually, startPlatform, type Platform } from '@emporia/testing';

jest.setTimeout(240_000);

const PASSWORD = 'a long enough password';

/**
 * The catalog's operations end to end, through the gateway with catalog, search, user, order and
 * notification as processes on real Postgres, Redis, Kafka and Elasticsearch, e-mail into the
 * shared mail sink: a low-stock threshold crossed by reservations lists the SKU and mails the
 * operators exactly once; a scheduled publish happens by itself, once; a product of a regulated
 * category is refused until a compliance review approves it; tags filter search.
 */
describe('catalog operations end to end: thresholds, schedules, compliance, tags', () => {
  let platform: Platform;
  let operator: Record<string, string>;
  let reviewer: Record<string, string>;
  const email = (name: string) =>
    `${name}.${platform.suffix}.${randomUUID().slice(0, 8)}@example.cn`;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** The sink's messages to one address. */
  const mailsTo = async (address: string): Promise<{ ID: string; Subject: string }[]> => {
    const res = await fetch(
      `${platform.mailSinkApiUrl}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=200`,
    );
    if (!res.ok) throw new Error(`mail sink search: ${res.status}`);
    return ((await res.json()) as { messages: { ID: string; Subject: string }[] }).messages;
  };
  const mailText = async (id: string): Promise<string> => {
    const m = (await (await fetch(`${platform.mailSinkApiUrl}/api/v1/message/${id}`)).json()) as {
      Subject: string;
      Text: string;
      HTML: string;
    };
    return `${m.Subject}\n${m.Text}\n${m.HTML}`;
  };
  const expectStatus = (what: string, res: { status: number; body: unknown }, status: number) => {
    if (res.status !== status)
      throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes
  };
  const category = async (regulated = false) =>
    expectStatus(
      'category',
      await platform.api(
        'POST',
        '/v1/categories',
        { name: regulated ? '婴幼儿奶粉' : '日用', slug: `c-${randomUUID()}`, regulated },
        operator,
      ),
      201,
    );
  const product = async (categoryId: string, over: Record<string, unknown> = {}) =>
    expectStatus(
      'product',
      await platform.api(
        'POST',
        '/v1/products',
        {
          title: 'Bamboo toothbrush',
          categoryId,
          skus: [{ code: `S-${randomUUID()}`, price: { amountMinor: 1200, currency: 'CNY' } }],
          ...over,
        },
        operator,
      ),
      201,
    );

  beforeAll(async () => {
    platform = await startPlatform({
      catalog: true,
      search: true,
      user: true,
      order: true,
      notification: true,
      // the listing sweep runs on the reservation sweep's interval; rule tags on their own
      catalogEnv: { RESERVATION_SWEEP_INTERVAL_MS: '300', CATALOG_TAG_SWEEP_INTERVAL_MS: '500' },
    });
    operator = (await platform.signIn(email('ops'), PASSWORD, 'customer,operator')).auth;
    reviewer = (await platform.signIn(email('qa'), PASSWORD, 'customer,operator')).auth;
  });

  afterAll(async () => platform?.stop());

  it('a threshold crossed by reservations: the low-stock list, and exactly one e-mail to the operators', async () => {
    const { api } = platform;
    const title = `Kettle ${randomUUID().slice(0, 8)}`;
    const skuId = await platform.stockedSku(operator, { stock: 8, warehouseCode: 'SH-1', title });
    const set = await api(
      'PUT',
      `/v1/admin/skus/${skuId}/stock-thresholds/SH-1`,
      { threshold: 5 },
      operator,
    );
    expect(set).toMatchObject({ status: 200, body: { threshold: 5, low: false } });
    const customer = await platform.signIn(email('buyer'), PASSWORD);
    expect(
      (
        await api(
          'PUT',
          `/v1/admin/skus/${skuId}/stock-thresholds/SH-1`,
          { threshold: 5 },
          customer.auth,
        )
      ).status,
    ).toBe(403);

    // 8 → 6 available: not low; → 4: low (one crossing); → 3: still low, no second alert
    for (const quantity of [2, 2, 1]) {
      const buyer = await platform.signIn(email('buyer'), PASSWORD);
      const placed = await anHttpCheckout(api, buyer.auth).of(skuId, quantity).send();
      expect(placed.status).toBe(201);
    }
    const low = await eventually(
      async () => {
        const r = await api('GET', '/v1/admin/low-stock?warehouse=SH-1', undefined, operator);
        return (r.body.items ?? []).find((i: { skuId: string }) => i.skuId === skuId);
      },
      { timeoutMs: 30_000, what: 'the SKU in the low-stock list' },
    );
    expect(low).toMatchObject({
      warehouseCode: 'SH-1',
      onHand: 8,
      reserved: 5,
      available: 3,
      threshold: 5,
      productTitle: title,
    });
    const thresholds = await api(
      'GET',
      `/v1/admin/stock-thresholds?skuId=${skuId}`,
      undefined,
      operator,
    );
    expect(thresholds.body.items).toEqual([
      expect.objectContaining({ warehouseCode: 'SH-1', low: true, lowSince: expect.any(String) }),
    ]);

    // the run's operator address gets no other mail: one crossing, one alert
    const [alert] = await eventually(
      async () => {
        const found = await mailsTo(platform.operatorEmail);
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: "the operators' low-stock e-mail" },
    );
    const text = await mailText(alert.ID);
    expect(text).toContain(title);
    expect(text).toContain('SH-1');
    await sleep(3000);
    expect(await mailsTo(platform.operatorEmail)).toHaveLength(1);
  });

  it('a scheduled publish happens by itself, once, and clears the schedule', async () => {
    const { api } = platform;
    const cat = await category();
    const draft = await product(cat.id, { status: 'draft', title: `Scheduled ${randomUUID()}` });
    expect((await api('GET', `/v1/products/${draft.id}`)).status).toBe(404);
    const publishAt = new Date(Date.now() + 2000).toISOString();
    const scheduled = await api(
      'PUT',
      `/v1/admin/products/${draft.id}/listing-schedule`,
      { publishAt, unpublishAt: null },
      operator,
    );
    expect(scheduled).toMatchObject({ status: 200, body: { status: 'draft' } });
    expect(Date.parse(scheduled.body.publishAt)).toBe(Date.parse(publishAt));
    expect(
      (
        await api(
          'PUT',
          `/v1/admin/products/${draft.id}/listing-schedule`,
          { publishAt, unpublishAt: new Date(Date.now() - 60_000).toISOString() },
          operator,
        )
      ).body.code,
    ).toBe('SCHEDULE_INVALID');

    const live = await eventually(
      async () => {
        const r = await api('GET', `/v1/products/${draft.id}`);
        return r.status === 200 ? r.body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'the scheduled publish' },
    );
    expect(live.status).toBe('active');
    expect(live).not.toHaveProperty('publishAt');
    // its first publication makes it new: the 新品 rule (swept every 500 ms here) tags it, one
    // more version
    const seen = await eventually(
      async () => {
        const r = await api('GET', `/v1/products/${draft.id}`, undefined, operator);
        return r.body.tags?.includes('新品') ? r : undefined;
      },
      { timeoutMs: 30_000, what: 'the 新品 rule tag on the published product' },
    );
    expect(seen.body).toMatchObject({ status: 'active', publishAt: null });
    // once: neither sweep touches it again (its version stays)
    await sleep(1500);
    expect((await api('GET', `/v1/products/${draft.id}`, undefined, operator)).body.version).toBe(
      seen.body.version,
    );
  });

  it('a regulated product is refused until a review (by another operator) approves it; the audit trail keeps it', async () => {
    const { api } = platform;
    const cat = await category(true);
    expect(cat).toMatchObject({ regulated: true, regulatedMarked: true });
    const milk = await product(cat.id, {
      status: 'draft',
      title: '婴儿配方奶粉 1段',
      brand: '飞鹤',
    });
    expect(milk.complianceStatus).toBe('REQUIRED');
    const refused = await api('PATCH', `/v1/products/${milk.id}`, { status: 'active' }, operator);
    expect(refused).toMatchObject({ status: 422, body: { code: 'COMPLIANCE_REVIEW_REQUIRED' } });
    expect((await api('GET', `/v1/products/${milk.id}`, undefined, operator)).body.status).toBe(
      'draft',
    );

    const noReport = await api(
      'POST',
      `/v1/admin/products/${milk.id}/compliance-reviews`,
      { qualityReportRef: '' },
      operator,
    );
    expect(noReport).toMatchObject({ status: 400, body: { code: 'QUALITY_REPORT_REQUIRED' } });
    const submitted = await api(
      'POST',
      `/v1/admin/products/${milk.id}/compliance-reviews`,
      { qualityReportRef: 'https://docs.example.com/qa/feihe-1.pdf' },
      operator,
    );
    expect(submitted).toMatchObject({ status: 201, body: { status: 'PENDING' } });
    const pending = await api(
      'GET',
      '/v1/admin/compliance-reviews?status=PENDING',
      undefined,
      operator,
    );
    expect(pending.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: submitted.body.id })]),
    );
    const approved = await api(
      'POST',
      `/v1/admin/compliance-reviews/${submitted.body.id}/decision`,
      { approve: true },
      reviewer,
    );
    expect(approved).toMatchObject({ status: 200, body: { status: 'APPROVED' } });
    const published = await api('PATCH', `/v1/products/${milk.id}`, { status: 'active' }, operator);
    expect(published).toMatchObject({
      status: 200,
      body: { status: 'active', complianceStatus: 'APPROVED' },
    });
    const audit = await api(
      'GET',
      `/v1/admin/products/${milk.id}/compliance-audit`,
      undefined,
      operator,
    );
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['refused_publish', 'submitted', 'approved']),
    );

    // banned words are refused at submission, with the words named
    const rules = await api('GET', '/v1/admin/compliance-rules', undefined, operator);
    expect(rules.status).toBe(200);
    const put = await api(
      'PUT',
      '/v1/admin/compliance-rules',
      { ...rules.body, bannedWords: [...rules.body.bannedWords, '最好'] },
      operator,
    );
    expect(put.status).toBe(200);
    const boast = await product(cat.id, { status: 'draft', title: '最好的奶粉' });
    const banned = await api(
      'POST',
      `/v1/admin/products/${boast.id}/compliance-reviews`,
      { qualityReportRef: 'https://docs.example.com/qa/2.pdf' },
      operator,
    );
    expect(banned).toMatchObject({ status: 400, body: { code: 'BANNED_WORDS' } });
    expect(banned.body.detail).toContain('最好');
  });

  it('tags: manual and rule tags on the product, and search filters by any of them', async () => {
    const { api } = platform;
    const word = `tg${platform.suffix}`.replace(/[^a-z0-9]/g, '');
    const cat = await category();
    const promo = await product(cat.id, { title: `Teapot ${word} promo` });
    const plain = await product(cat.id, { title: `Teapot ${word} plain` });
    const tagged = await api(
      'PUT',
      `/v1/admin/products/${promo.id}/tags`,
      { tags: ['促销'] },
      operator,
    );
    expect(tagged).toMatchObject({ status: 200, body: { manualTags: ['促销'] } });
    expect(tagged.body.tags).toContain('促销');
    expect(
      (
        await api(
          'PUT',
          `/v1/admin/products/${promo.id}/tags`,
          { tags: ['x'.repeat(21)] },
          operator,
        )
      ).status,
    ).toBe(400);
    const rules = await api('GET', '/v1/admin/tag-rules', undefined, operator);
    expect(rules.body.rules).toEqual(
      expect.arrayContaining([expect.objectContaining({ tag: '新品', kind: 'NEW_ARRIVAL' })]),
    );
    // the new-arrival rule tags both new products (its sweep runs every 500 ms here)
    await eventually(
      async () => {
        const r = await api('GET', `/v1/products/${plain.id}`);
        return r.body.tags?.includes('新品') ? true : undefined;
      },
      { timeoutMs: 30_000, what: 'the 新品 rule tag' },
    );

    const hits = await eventually(
      async () => {
        const r = await api(
          'GET',
          `/v1/search/products?q=${word}&tag=${encodeURIComponent('促销')}&facets=true`,
        );
        return r.status === 200 && r.body.items.length === 1 ? r.body : undefined;
      },
      { timeoutMs: 30_000, what: 'the 促销 filter in search' },
    );
    expect(hits.items[0]).toMatchObject({ productId: promo.id });
    expect(hits.items[0].tags).toContain('促销');
    const both = await eventually(
      async () => {
        const r = await api(
          'GET',
          `/v1/search/products?q=${word}&tag=${encodeURIComponent('促销')}&tag=${encodeURIComponent('新品')}&facets=true`,
        );
        return r.body.items?.length === 2 ? r.body : undefined;
      },
      { timeoutMs: 30_000, what: 'either tag in search' },
    );
    expect(both.facets.tags).toEqual(
      expect.arrayContaining([
        { value: '促销', count: 1 },
        { value: '新品', count: 2 },
      ]),
    );
  });
});
