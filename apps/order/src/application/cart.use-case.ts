import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { type Cart, mergeCarts, setLine, type CartLine } from '../domain/cart';
import { OrderError } from '../domain/order-error';
import {
  CATALOG,
  type CatalogPort,
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

export type CartOwner = Cart['owner'];

const GUEST_TOKEN_RE = /^[A-Za-z0-9_-]{16,128}$/;

/** Validates an owner: an account id, or a guest token the client generated (≥ 16 characters). */
export function cartOwner(input: { accountId?: string; guestToken?: string }): CartOwner {
  if (input.accountId && !input.guestToken) return { accountId: input.accountId };
  if (input.guestToken && !input.accountId) {
    if (!GUEST_TOKEN_RE.test(input.guestToken))
      throw new OrderError(
        'INVALID_ARGUMENT',
        'GUEST_TOKEN_INVALID',
        'a guest token has 16 to 128 letters, digits, - or _',
      );
    return { guestToken: input.guestToken };
  }
  throw new OrderError(
    'INVALID_ARGUMENT',
    'CART_OWNER_INVALID',
    'a cart belongs to an account or a guest token',
  );
}

const empty = (owner: CartOwner, now: Date): Cart => ({ id: '', owner, lines: [], updatedAt: now });

/** Guest and account carts; lines are checked against the catalog when they are set. */
@Injectable()
export class CartUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CATALOG) private readonly catalog: CatalogPort,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  async get(ctx: RequestContext, owner: CartOwner): Promise<Cart> {
    return (
      (await this.uow.run(ctx, (tx) => tx.carts.find(owner))) ?? empty(owner, this.clock.now())
    );
  }

  /** Sets a line (0 removes it). A SKU that does not exist or cannot be ordered is refused. */
  async setLine(
    ctx: RequestContext,
    owner: CartOwner,
    skuId: string,
    quantity: number,
  ): Promise<Cart> {
    if (quantity > 0) {
      const sku = (await this.catalog.skus(ctx, [skuId])).get(skuId);
      if (!sku) throw new OrderError('NOT_FOUND', 'SKU_NOT_FOUND', `SKU ${skuId} does not exist`);
      if (!sku.orderable)
        throw new OrderError(
          'FAILED_PRECONDITION',
          'SKU_UNAVAILABLE',
          `SKU ${skuId} cannot be ordered now`,
        );
    }
    return this.uow.run(ctx, async (tx) => {
      const now = this.clock.now();
      const cart = setLine(await tx.carts.lock(owner, this.ids.newId(), now), skuId, quantity, now);
      await tx.carts.save(cart);
      return cart;
    });
  }

  /** At sign-in: the guest cart's lines move into the account's cart; the guest cart goes. */
  merge(
    ctx: RequestContext,
    accountId: string,
    guestToken: string,
  ): Promise<{ cart: Cart; dropped: CartLine[] }> {
    const guestOwner = cartOwner({ guestToken });
    return this.uow.run(ctx, async (tx) => {
      const now = this.clock.now();
      const account = await tx.carts.lock({ accountId }, this.ids.newId(), now);
      const guest = await tx.carts.find(guestOwner);
      if (!guest || guest.lines.length === 0) return { cart: account, dropped: [] };
      const merged = mergeCarts(account, guest, now);
      await tx.carts.save(merged.cart);
      await tx.carts.remove(guest.id);
      return merged;
    });
  }
}
