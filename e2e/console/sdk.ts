import {
  createEmporiaClient,
  isProblem,
  memorySessionStore,
  newIdempotencyKey,
  ok,
} from '@emporia/sdk';
import { PASSWORD, type ConsoleContext } from './context';

const ADDRESS = {
  recipient: '韩梅梅',
  phone: '+8613800001111',
  country: 'CN',
  province: '上海市',
  city: '上海市',
  district: '黄浦区',
  line1: '淮海中路 100 号',
};

/** The typed client (libs/sdk) that the console and frontend teams use, on the real gateway. */
export function sdkTests(ctx: ConsoleContext): void {
  describe('the typed client on the real gateway', () => {
    const operatorAuth = () => ({
      authorization: `Bearer ${ctx.operator.client.session.tokens!.accessToken}`,
    });

    it('signs up and in, reads typed answers, and throws typed problems naming the field', async () => {
      const client = createEmporiaClient({ baseUrl: ctx.platform.gatewayUrl });
      const email = `sdk-1.${ctx.platform.suffix}@example.cn`;
      const bad = await client.api
        .POST('/v1/auth/register', { body: { email, password: 'short' } })
        .catch((e: unknown) => e);
      expect(isProblem(bad)).toBe(true);
      expect(bad).toMatchObject({ status: 400 });
      await ok(client.api.POST('/v1/auth/register', { body: { email, password: PASSWORD } }));
      const signedIn = await client.signIn(email, PASSWORD);
      expect(signedIn).toMatchObject({ status: 'signed-in', mergedGuestCart: false });
      const me = await ok(client.api.GET('/v1/me'));
      expect(me.account.email).toBe(email);
      const missing = await client.api
        .GET('/v1/orders/{id}', {
          params: { path: { id: '0199a1b2-0000-7000-8000-00000000dead' } },
        })
        .catch((e: unknown) => e);
      expect(isProblem(missing, 'ORDER_NOT_FOUND')).toBe(true);
    });

    it('keeps a guest cart, merges it at sign-in, and checks out once per Idempotency-Key', async () => {
      const skuId = await ctx.platform.stockedSku(operatorAuth(), { stock: 5, priceMinor: 12900 });
      const shopper = await ctx.clientFor('customer');
      const client = createEmporiaClient({ baseUrl: ctx.platform.gatewayUrl });
      await client.guestToken();
      await ok(
        client.api.PUT('/v1/cart/lines/{skuId}', {
          params: { path: { skuId } },
          body: { quantity: 2 },
        }),
      );
      const signIn = await client.signIn(shopper.email, PASSWORD);
      expect(signIn).toMatchObject({ status: 'signed-in', mergedGuestCart: true });
      const cart = await ok(client.api.GET('/v1/cart'));
      expect(cart.lines.map((l) => [l.skuId, l.quantity])).toEqual([[skuId, 2]]);

      // the same key twice (a retry after a lost answer) is one order
      const key = newIdempotencyKey();
      const first = await ok(
        client.api.POST('/v1/checkout', {
          params: { header: { 'Idempotency-Key': key } },
          body: { address: ADDRESS },
        }),
      );
      const again = await ok(
        client.api.POST('/v1/checkout', {
          params: { header: { 'Idempotency-Key': key } },
          body: { address: ADDRESS },
        }),
      );
      expect(again.id).toBe(first.id);
      expect(first.total).toEqual({ amountMinor: 25800, currency: 'CNY' });
      const orders = await ok(client.api.GET('/v1/orders'));
      expect(orders.items.map((o) => o.id)).toEqual([first.id]);
      // with no key given the client makes one: a new checkout of an empty cart is refused as such
      const empty = await client.api
        .POST('/v1/checkout', { body: { address: ADDRESS } })
        .catch((e: unknown) => e);
      expect(isProblem(empty, 'CART_EMPTY')).toBe(true);
    });

    it('refreshes an access token about to expire before the call, once; the old refresh token is spent', async () => {
      const { email } = await ctx.clientFor('customer');
      const store = memorySessionStore();
      const client = createEmporiaClient({ baseUrl: ctx.platform.gatewayUrl, store });
      await client.signIn(email, PASSWORD);
      const before = store.load().tokens!;
      store.save({
        ...store.load(),
        tokens: { ...before, accessExpiresAt: new Date(0).toISOString() },
      });
      const [a, b] = await Promise.all([
        ok(client.api.GET('/v1/me')),
        ok(client.api.GET('/v1/me')),
      ]);
      expect([a.account.email, b.account.email]).toEqual([email, email]);
      const after = store.load().tokens!;
      expect(after.refreshToken).not.toBe(before.refreshToken);
      expect(after.accessToken).not.toBe(before.accessToken);
      const reuse = await fetch(`${ctx.platform.gatewayUrl}/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: before.refreshToken }),
      });
      expect(reuse.status).toBe(401);
    });
  });
}
