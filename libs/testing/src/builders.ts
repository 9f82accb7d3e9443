import { randomUUID } from 'node:crypto';
import { uniqueSuffix } from './fixtures';
import type { Api, ApiResponse } from './platform';

/**
 * Test data builders for real-server suites (eShop `Ordering.UnitTests/Builders.cs`): a valid
 * default, and only what a test is about set by name. Unit-level builders of the order domain
 * live in order's own testing entry (`apps/order/src/testing`).
 */

/** Anything that calls a gRPC method by name (`grpcTestClient`). */
export interface GrpcCaller {
  call<T>(method: string, req: unknown): Promise<T>;
}

/**
 * An active catalog product with one SKU, made through the catalog's gRPC API: ¥129.00, no
 * stock unless `stocked`. `create()` answers the SKU id.
 */
export class CatalogSkuBuilder {
  private priceMinor = 12900;
  private currency = 'CNY';
  private units = 0;
  private warehouses = ['SH-1'];
  private prefix = 'T';
  private titleWord = 'Thing';

  constructor(
    private readonly catalog: GrpcCaller,
    private readonly categoryId: string,
  ) {}

  pricedAt(minor: number, currency = 'CNY'): this {
    this.priceMinor = minor;
    this.currency = currency;
    return this;
  }

  /** `units` received into each warehouse (SH-1 unless named). */
  stocked(units: number, warehouses = ['SH-1']): this {
    this.units = units;
    this.warehouses = warehouses;
    return this;
  }

  /** The SKU code's prefix and the product title's first word (to tell suites' data apart). */
  named(prefix: string, titleWord = this.titleWord): this {
    this.prefix = prefix;
    this.titleWord = titleWord;
    return this;
  }

  async create(): Promise<string> {
    const code = `${this.prefix}-${uniqueSuffix()}`;
    const { product } = await this.catalog.call<{
      product?: { id: string; skus: { id: string }[] };
    }>('createProduct', {
      title: `${this.titleWord} ${code}`,
      categoryId: this.categoryId,
      skus: [
        { code, attributes: {}, price: { amountMinor: this.priceMinor, currency: this.currency } },
      ],
    });
    await this.catalog.call('updateProduct', {
      id: product!.id,
      status: 'PRODUCT_STATUS_ACTIVE',
    });
    const skuId = product!.skus[0].id;
    if (this.units > 0)
      for (const warehouseCode of this.warehouses)
        await this.catalog.call('adjustStock', {
          skuId,
          warehouseCode,
          delta: this.units,
          reason: 'receive',
        });
    return skuId;
  }
}

export const aCatalogSku = (catalog: GrpcCaller, categoryId: string) =>
  new CatalogSkuBuilder(catalog, categoryId);

/** A deliverable address in Shanghai, as checkout requests carry it. */
export const aShippingAddress = (over: Record<string, string> = {}) => ({
  recipient: '张伟',
  phone: '+8613800138000',
  country: 'CN',
  province: '上海市',
  city: '上海市',
  district: '浦东新区',
  line1: '世纪大道 100 号',
  ...over,
});

/** An order-service `CheckoutRequest`: a fresh checkout key and a Shanghai address by default. */
export class CheckoutRequestBuilder {
  private request: Record<string, unknown>;

  constructor(accountId: string) {
    this.request = { accountId, checkoutKey: randomUUID(), address: aShippingAddress() };
  }

  withKey(checkoutKey: string): this {
    this.request.checkoutKey = checkoutKey;
    return this;
  }

  to(address: object): this {
    this.request.address = address;
    return this;
  }

  withCoupons(...couponCodes: string[]): this {
    this.request.couponCodes = couponCodes;
    return this;
  }

  /** Any other CheckoutRequest fields (flash token, group deal, channel…). */
  with(fields: object): this {
    this.request = { ...this.request, ...fields };
    return this;
  }

  build(): Record<string, unknown> {
    return { ...this.request };
  }
}

export const aCheckout = (accountId: string) => new CheckoutRequestBuilder(accountId);

/**
 * A checkout through the gateway's HTTP API: puts the lines in the caller's cart, then
 * `POST /v1/checkout` with a fresh Idempotency-Key and a Shanghai address unless set.
 */
export class HttpCheckoutBuilder {
  private readonly lines: { skuId: string; quantity: number }[] = [];
  private body: Record<string, unknown> = { address: aShippingAddress() };
  private headers: Record<string, string> = {};

  constructor(
    private readonly api: Api,
    private readonly auth: Record<string, string>,
  ) {}

  /** Sets this line in the cart first (PUT /v1/cart/lines/{skuId}). */
  of(skuId: string, quantity = 1): this {
    this.lines.push({ skuId, quantity });
    return this;
  }

  to(address: object): this {
    this.body.address = address;
    return this;
  }

  /** An entry of the caller's address book instead of an address. */
  fromAddressBook(addressId: string): this {
    const { address: _address, ...rest } = this.body;
    this.body = { ...rest, addressId };
    return this;
  }

  /** Other body fields: couponCodes, flashToken, groupDealId… */
  with(fields: object): this {
    this.body = { ...this.body, ...fields };
    return this;
  }

  fromDevice(deviceId: string): this {
    this.headers['x-device-id'] = deviceId;
    return this;
  }

  withIdempotencyKey(key: string): this {
    this.headers['idempotency-key'] = key;
    return this;
  }

  async send(): Promise<ApiResponse> {
    for (const l of this.lines)
      await this.api('PUT', `/v1/cart/lines/${l.skuId}`, { quantity: l.quantity }, this.auth);
    return this.api('POST', '/v1/checkout', this.body, {
      ...this.auth,
      'idempotency-key': randomUUID(),
      ...this.headers,
    });
  }
}

export const anHttpCheckout = (api: Api, auth: Record<string, string>) =>
  new HttpCheckoutBuilder(api, auth);
