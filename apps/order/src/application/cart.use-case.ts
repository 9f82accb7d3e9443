import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { type Cart, mergeCarts, sameLines, setLine, type CartLine } from '../domain/cart';
import { announceCart, skusIfAvailable } from './cart-events';
import { OrderError } from '../domain/order-error';
import {
  CART_SETTINGS,
  type CartSettings,
  CATALOG,
  type CatalogPort,
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  type OrderTx,
  type SkuInfo,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

/** Who a cart call is for, as the caller names it: an account, or a guest token. */
export type CartOwnerInput = { accountId: string } | { guestToken: string };

/** Validates an owner: exactly one of an account id and a guest token. */
export function cartOwner(input: { accountId?: string; guestToken?: string }): CartOwnerInput {
  if (input.accountId && !input.guestToken) return { accountId: input.accountId };
  if (input.guestToken && !input.accountId) return { guestToken: input.guestToken };
  throw new OrderError(
    'INVALID_ARGUMENT',
    'CART_OWNER_INVALID',
    'a cart belongs to an account or a guest token',
  );
}

/** 32 bytes from the CSPRNG (256 bits), base64url, with a prefix that tells what it is. */
export function newGuestToken(): string {
  return `gt_${randomBytes(32).toString('base64url')}`;
}

/** What the database keeps of a guest token: its SHA-256 (a leak of the table opens no cart). */
export function guestTokenKey(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const unknownGuestToken = () =>
  new OrderError(
    'UNAUTHENTICATED',
    'GUEST_TOKEN_UNKNOWN',
    'this guest token was not issued here, has expired or was used up by a merge: ask POST /v1/cart/guest-token for one',
  );

const empty = (owner: Cart['owner'], now: Date): Cart => ({
  id: '',
  owner,
  lines: [],
  updatedAt: now,
});

/**
 * Guest and account carts; lines are checked against the catalog when they are set. Guest
 * tokens are issued here and recognised by a row keyed by their hash: the row says the token
 * is ours, when it was last used (tokens expire after GUEST_CART_TTL_SECONDS unused) and goes
 * when a merge uses the token up; the sweep deletes expired tokens with their carts.
 */
@Injectable()
export class CartUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CATALOG) private readonly catalog: CatalogPort,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(CART_SETTINGS) private readonly settings: CartSettings,
  ) {}

  /** A new guest token; only issued tokens open guest carts. */
  async issueGuestToken(ctx: RequestContext): Promise<string> {
    const token = newGuestToken();
    await this.uow.run(ctx, (tx) => tx.guestTokens.insert(guestTokenKey(token), this.clock.now()));
    return token;
  }

  /**
   * The owner a cart is stored under; a guest token must be issued and unexpired. `carting`:
   * the call writes the guest's cart (the token then has one).
   */
  private async resolve(
    tx: OrderTx,
    owner: CartOwnerInput,
    now: Date,
    carting = false,
  ): Promise<Cart['owner']> {
    if ('accountId' in owner) return owner;
    const key = guestTokenKey(owner.guestToken);
    const usedAfter = new Date(now.getTime() - this.settings.guestCartTtlMs);
    if (!(await tx.guestTokens.touch(key, now, usedAfter, carting))) throw unknownGuestToken();
    return { guestKey: key };
  }

  get(ctx: RequestContext, owner: CartOwnerInput): Promise<Cart> {
    return this.uow.run(ctx, async (tx) => {
      const now = this.clock.now();
      const stored = await this.resolve(tx, owner, now);
      return (await tx.carts.find(stored)) ?? empty(stored, now);
    });
  }

  /**
   * Sets a line (0 removes it). A SKU that does not exist or cannot be ordered is refused. An
   * account's cart is announced (`CartChanged`) with the change, priced from the catalog: the
   * SKUs already in the cart are asked of it in the same call as the one being set.
   */
  async setLine(
    ctx: RequestContext,
    owner: CartOwnerInput,
    skuId: string,
    quantity: number,
  ): Promise<Cart> {
    // an unknown guest token is refused before the catalog is asked anything
    if ('guestToken' in owner)
      await this.uow.run(ctx, (tx) => this.resolve(tx, owner, this.clock.now()));
    const inCart =
      'accountId' in owner
        ? ((await this.uow.read(ctx, (tx) => tx.carts.find(owner)))?.lines ?? []).map(
            (l) => l.skuId,
          )
        : [];
    const asked = [...new Set([skuId, ...inCart])];
    let skus: Map<string, SkuInfo>;
    if (quantity > 0) {
      skus = await this.catalog.skus(ctx, asked);
      const sku = skus.get(skuId);
      if (!sku) throw new OrderError('NOT_FOUND', 'SKU_NOT_FOUND', `SKU ${skuId} does not exist`);
      if (!sku.orderable)
        throw new OrderError(
          'FAILED_PRECONDITION',
          'SKU_UNAVAILABLE',
          `SKU ${skuId} cannot be ordered now`,
        );
    } else skus = await skusIfAvailable(this.catalog, ctx, inCart);
    return this.uow.run(ctx, async (tx) => {
      const now = this.clock.now();
      const stored = await this.resolve(tx, owner, now, true);
      const before = await tx.carts.lock(stored, this.ids.newId(), now);
      const cart = setLine(before, skuId, quantity, now);
      await tx.carts.save(cart);
      if (!sameLines(before, cart))
        await announceCart(this.catalog, ctx, tx, cart, 'set_line', skus);
      return cart;
    });
  }

  /**
   * At sign-in: the guest cart's lines move into the account's cart; the guest cart and its
   * token go (a second merge with the token is refused like any unknown token). The account's
   * cart is announced when it changed.
   */
  merge(
    ctx: RequestContext,
    accountId: string,
    guestToken: string,
  ): Promise<{ cart: Cart; dropped: CartLine[] }> {
    const guestOwner = cartOwner({ guestToken });
    return this.uow.run(ctx, async (tx) => {
      const now = this.clock.now();
      const guestStored = await this.resolve(tx, guestOwner, now);
      const account = await tx.carts.lock({ accountId }, this.ids.newId(), now);
      const guest = await tx.carts.find(guestStored);
      await tx.guestTokens.remove(guestTokenKey(guestToken));
      if (guest) await tx.carts.remove(guest.id);
      if (!guest || guest.lines.length === 0) return { cart: account, dropped: [] };
      const merged = mergeCarts(account, guest, now);
      await tx.carts.save(merged.cart);
      if (!sameLines(account, merged.cart))
        await announceCart(this.catalog, ctx, tx, merged.cart, 'merge', new Map());
      return merged;
    });
  }

  /** Sweep: expired guest tokens and their carts, in bounded batches. */
  expireGuestCarts(ctx: RequestContext, limit = 500): Promise<number> {
    const now = this.clock.now().getTime();
    return this.uow.run(ctx, (tx) =>
      tx.guestTokens.expire(
        new Date(now - this.settings.guestCartTtlMs),
        new Date(now - this.settings.guestTokenUnusedTtlMs),
        limit,
      ),
    );
  }
}
