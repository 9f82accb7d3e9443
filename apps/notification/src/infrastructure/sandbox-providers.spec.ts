import { createLogger } from '@emporia/platform';
import { SendFailure } from '../application/ports';
import { verifyReceipt, type Receipt } from '../application/signing';
import { INBOX_PER_NUMBER, receiptTarget, SandboxProvider } from './sandbox-providers';

const SECRET = 'sandbox-secret-0123456789';

function sandbox(name: 'sandbox-sms' | 'sandbox-push') {
  const receipts: { r: Receipt; signature: string }[] = [];
  const provider = new SandboxProvider(name, {
    secret: SECRET,
    receiptDelayMs: 0,
    sink: async (r, signature) => {
      receipts.push({ r, signature });
    },
    logger: createLogger('test', 'silent'),
    now: () => new Date('2030-01-01T00:00:00Z'),
  });
  return { provider, receipts };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('sandbox providers', () => {
  it('SMS keeps what it took per number, newest first, the last few only', async () => {
    const { provider } = sandbox('sandbox-sms');
    for (let i = 0; i < INBOX_PER_NUMBER + 3; i++)
      await provider.send({ deliveryId: `d${i}`, to: '+8613800138000', body: `code ${i}` });
    const b = await provider.send({ deliveryId: 'x', to: '+8613900139000', body: 'other' });
    const kept = provider.messages('+8613800138000', 1000);
    expect(kept).toHaveLength(INBOX_PER_NUMBER);
    expect(kept[0]).toMatchObject({ to: '+8613800138000', body: `code ${INBOX_PER_NUMBER + 2}` });
    expect(kept.at(-1)!.body).toBe('code 3');
    expect(provider.messages('+8613900139000', 5)).toEqual([
      {
        to: '+8613900139000',
        body: 'other',
        sentAt: new Date('2030-01-01T00:00:00Z'),
        providerMessageId: b.providerMessageId,
      },
    ]);
    expect(provider.messages('+8613700137000', 5)).toEqual([]);
    await provider.stop();
  });

  it('SMS: a signed DELIVERED receipt, or UNDELIVERED for numbers ending in 0000', async () => {
    const { provider, receipts } = sandbox('sandbox-sms');
    const a = await provider.send({ deliveryId: 'd1', to: '+8613800138000' });
    const b = await provider.send({ deliveryId: 'd2', to: '+8613800130000' });
    await tick();
    expect(receipts.map((x) => [x.r.providerMessageId, x.r.status, x.r.errorCode])).toEqual([
      [a.providerMessageId, 'DELIVERED', ''],
      [b.providerMessageId, 'UNDELIVERED', 'SANDBOX_UNREACHABLE'],
    ]);
    for (const { r, signature } of receipts) expect(verifyReceipt(SECRET, r, signature)).toBe(true);
    expect(receipts[0]!.r.occurredAt).toBe('2030-01-01T00:00:00.000Z');
  });

  it('push: a token starting with fail- is refused for good; pending receipts stop with it', async () => {
    const { provider, receipts } = sandbox('sandbox-push');
    await expect(provider.send({ deliveryId: 'd1', to: 'fail-token-1' })).rejects.toEqual(
      new SendFailure('sandbox push: device token refused', true),
    );
    const slow = new SandboxProvider('sandbox-push', {
      secret: SECRET,
      receiptDelayMs: 50,
      sink: async (r, signature) => {
        receipts.push({ r, signature });
      },
      logger: createLogger('test', 'silent'),
      now: () => new Date(),
    });
    await slow.send({ deliveryId: 'd2', to: 'token-2' });
    await slow.stop();
    await new Promise((r) => setTimeout(r, 80));
    expect(receipts).toHaveLength(0);
  });

  it('the receipt URL takes the provider as its last segment or in a placeholder', () => {
    expect(receiptTarget('http://gw:8080/v1/notifications/receipts/', 'sandbox-sms')).toBe(
      'http://gw:8080/v1/notifications/receipts/sandbox-sms',
    );
    expect(receiptTarget('http://gw/r/{provider}/cb', 'sandbox-push')).toBe(
      'http://gw/r/sandbox-push/cb',
    );
  });
});
