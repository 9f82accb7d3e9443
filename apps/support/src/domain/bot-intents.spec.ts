import { normaliseText, recogniseIntent, type BotIntent } from './bot-intents';
import { BOT_VOCABULARY } from './bot-vocabulary';

describe('recogniseIntent', () => {
  const phrasings: [string, BotIntent][] = [
    // order status
    ['我的订单怎么样了', 'ORDER_STATUS'],
    ['订单状态', 'ORDER_STATUS'],
    ['请问发货了吗？', 'ORDER_STATUS'],
    ['付款两天了怎么还不发货', 'ORDER_STATUS'],
    ['還沒出貨嗎', 'ORDER_STATUS'],
    ['我的訂單', 'ORDER_STATUS'],
    ['Where is my order?', 'ORDER_STATUS'],
    ['order status please', 'ORDER_STATUS'],
    ['Has my order shipped yet', 'ORDER_STATUS'],
    ['ＯＲＤＥＲ ＳＴＡＴＵＳ', 'ORDER_STATUS'],
    // tracking
    ['我的快递到哪了', 'TRACKING'],
    ['物流信息', 'TRACKING'],
    ['快递单号是多少', 'TRACKING'],
    ['客服你好，我的包裹什么时候到', 'TRACKING'],
    ['我的订单到哪了', 'TRACKING'],
    ['我的快遞到哪裡了', 'TRACKING'],
    ["where's my parcel?", 'TRACKING'],
    ['Where’s my package', 'TRACKING'],
    ['tracking number?', 'TRACKING'],
    ['it was not delivered yet', 'TRACKING'],
    ['I want to track my parcel, not talk to a human', 'TRACKING'],
    // return policy
    ['我想退货', 'RETURN_POLICY'],
    ['能退款吗', 'RETURN_POLICY'],
    ['支持七天无理由吗', 'RETURN_POLICY'],
    ['可以換貨嗎', 'RETURN_POLICY'],
    ['退貨', 'RETURN_POLICY'],
    ['签收后还能退吗', 'RETURN_POLICY'],
    ['Can I return this?', 'RETURN_POLICY'],
    ['I want a refund', 'RETURN_POLICY'],
    ['how do exchanges work', 'RETURN_POLICY'],
    // a person
    ['我要转人工', 'HUMAN'],
    ['人工客服', 'HUMAN'],
    ['真人！', 'HUMAN'],
    ['转人工，快递丢了', 'HUMAN'],
    ['轉人工', 'HUMAN'],
    ['I want to talk to a human', 'HUMAN'],
    ['agent please', 'HUMAN'],
    ['Can I speak to a representative about my refund', 'HUMAN'],
    ['REAL PERSON', 'HUMAN'],
    // nothing the bot answers
    ['你好', 'UNKNOWN'],
    ['谢谢', 'UNKNOWN'],
    ['客服', 'UNKNOWN'],
    ['订单', 'UNKNOWN'],
    ['这个质量太差了', 'UNKNOWN'],
    ['我不要转人工', 'UNKNOWN'],
    ['hello', 'UNKNOWN'],
    ["I don't need a human", 'UNKNOWN'],
    ['no refund needed, thanks', 'UNKNOWN'],
    ['the colour is wrong', 'UNKNOWN'],
    ['reordering is fun', 'UNKNOWN'],
    ['', 'UNKNOWN'],
  ];

  it.each(phrasings)('%j → %s', (text, intent) => {
    expect(recogniseIntent(text).intent).toBe(intent);
  });

  it('finds the order a message names, in any width or case', () => {
    const id = '0190b000-0000-7000-8000-00000000abcd';
    expect(recogniseIntent(`订单 ${id} 发货了吗`)).toMatchObject({
      intent: 'ORDER_STATUS',
      orderId: id,
    });
    const fullWidth = id
      .toUpperCase()
      .replace(/[0-9A-Z-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    expect(recogniseIntent(`where is my parcel ${fullWidth}`)).toMatchObject({
      intent: 'TRACKING',
      orderId: id,
    });
    expect(recogniseIntent('where is my parcel 1234').orderId).toBeUndefined();
  });

  it('counts the longest phrase once and leaves negated ones out', () => {
    const r = recogniseIntent('我的订单号多少？快递单号呢，我不退货');
    expect(r.matched).toEqual(['我的订单', '快递', '单号']);
    expect(r.scores).toEqual({ ORDER_STATUS: 3, TRACKING: 4, RETURN_POLICY: 0, HUMAN: 0 });
    expect(recogniseIntent('Refunded? not refunded').scores.RETURN_POLICY).toBe(2);
  });

  it('never throws on odd input', () => {
    for (const odd of [undefined, null, 42, '\u0000\u200b', 'x'.repeat(100_000)])
      expect(recogniseIntent(odd as unknown as string).intent).toBe('UNKNOWN');
  });

  it('normalises width, case, apostrophes and spaces', () => {
    expect(normaliseText('  ＷＨＥＲＥ’S   my\tparcel？ ')).toBe("where's my parcel?");
  });

  it('keeps its vocabulary as written after normalisation', () => {
    for (const vocabulary of Object.values(BOT_VOCABULARY))
      for (const phrases of Object.values(vocabulary))
        for (const phrase of Object.keys(phrases)) expect(normaliseText(phrase)).toBe(phrase);
  });
});
