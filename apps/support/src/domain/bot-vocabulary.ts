/**
 * What the first-line bot listens for: one table per locale, phrase → weight. Adding a phrase is
 * adding a line here (and a row to the table in `bot-intents.spec.ts`); see docs/bot.md.
 *
 * Weights: 3 = the phrase alone says what is asked ("转人工", "where is my order"); 2 = a strong
 * hint ("快递", "refund"); 1 = a weak hint that also appears in greetings or other questions
 * ("客服", "order"). Phrases are written as they look after normalisation (`normaliseText`):
 * NFKC (full-width letters and digits become ASCII), lower case, one space between words, curly
 * apostrophes straight. Chinese phrases match anywhere in the text; English phrases match whole
 * words, with an optional plural or verb ending (refund → refunds, refunded, refunding).
 */
export type BotTopic = 'ORDER_STATUS' | 'TRACKING' | 'RETURN_POLICY';
export type BotIntent = BotTopic | 'HUMAN' | 'UNKNOWN';

export type VocabularyLocale = 'zh-Hans' | 'zh-Hant' | 'en';
export type Vocabulary = Record<Exclude<BotIntent, 'UNKNOWN'>, Record<string, number>>;

export const BOT_VOCABULARY: Record<VocabularyLocale, Vocabulary> = {
  'zh-Hans': {
    ORDER_STATUS: {
      订单状态: 3,
      我的订单: 3,
      订单进度: 3,
      发货了吗: 3,
      发货没: 3,
      还没发货: 3,
      什么时候发货: 3,
      怎么还不发货: 3,
      还不发货: 3,
      付款了: 1,
      订单号: 1,
      订单: 1,
      发货: 1,
    },
    TRACKING: {
      物流: 2,
      快递: 2,
      单号: 2,
      运单: 2,
      包裹: 2,
      到哪了: 3,
      到哪里了: 3,
      到哪儿了: 3,
      什么时候到: 3,
      什么时候能到: 3,
      还没到: 2,
      还没收到: 2,
      派送: 2,
      签收: 1,
      配送: 1,
    },
    RETURN_POLICY: {
      退货: 2,
      退款: 2,
      换货: 2,
      七天无理由: 3,
      无理由退货: 3,
      退换: 2,
      售后: 2,
      能退吗: 3,
      可以退吗: 3,
      退回: 1,
    },
    HUMAN: {
      转人工: 9,
      人工客服: 9,
      人工服务: 9,
      找人工: 9,
      真人: 9,
      找客服: 6,
      联系客服: 6,
      人工: 3,
      客服: 1,
    },
  },
  'zh-Hant': {
    ORDER_STATUS: {
      訂單狀態: 3,
      我的訂單: 3,
      訂單進度: 3,
      發貨了嗎: 3,
      出貨了嗎: 3,
      還沒發貨: 3,
      還沒出貨: 3,
      什麼時候發貨: 3,
      什麼時候出貨: 3,
      還不發貨: 3,
      還不出貨: 3,
      訂單號: 1,
      訂單: 1,
      發貨: 1,
      出貨: 1,
    },
    TRACKING: {
      物流: 2,
      快遞: 2,
      單號: 2,
      運單: 2,
      包裹: 2,
      貨運: 2,
      到哪了: 3,
      到哪裡了: 3,
      到哪裏了: 3,
      什麼時候到: 3,
      還沒到: 2,
      還沒收到: 2,
      派送: 2,
      配送: 1,
    },
    RETURN_POLICY: {
      退貨: 2,
      退款: 2,
      換貨: 2,
      七天無理由: 3,
      無理由退貨: 3,
      退換: 2,
      售後: 2,
      能退嗎: 3,
      可以退嗎: 3,
    },
    HUMAN: {
      轉人工: 9,
      人工客服: 9,
      人工服務: 9,
      找人工: 9,
      真人: 9,
      找客服: 6,
      聯繫客服: 6,
      聯絡客服: 6,
      人工: 3,
      客服: 1,
    },
  },
  en: {
    ORDER_STATUS: {
      'order status': 3,
      'status of my order': 3,
      'where is my order': 3,
      "where's my order": 3,
      'wheres my order': 3,
      'my order': 2,
      'has my order shipped': 3,
      'has it shipped': 3,
      'when will it ship': 3,
      'when will my order ship': 3,
      'not shipped': 2,
      order: 1,
    },
    TRACKING: {
      tracking: 2,
      'tracking number': 3,
      'track my': 3,
      delivery: 2,
      deliver: 2,
      parcel: 2,
      package: 2,
      shipment: 2,
      courier: 2,
      'where is my parcel': 3,
      "where's my parcel": 3,
      'where is my package': 3,
      "where's my package": 3,
      'when will it arrive': 3,
      arrive: 1,
    },
    RETURN_POLICY: {
      return: 2,
      refund: 2,
      exchange: 2,
      'money back': 2,
      'return policy': 3,
      'send it back': 3,
      'can i return': 3,
    },
    HUMAN: {
      human: 9,
      person: 9,
      agent: 9,
      representative: 9,
      operator: 9,
      'real person': 9,
      'customer service': 3,
      'talk to someone': 9,
      'speak to someone': 9,
      someone: 1,
    },
  },
};

/**
 * Negations that cancel the phrase right after them ("不要转人工", "don't need a human"). Chinese:
 * the text just before the phrase ends with one of these. English: the nearest word before the
 * phrase, skipping the filler words, is one of these. Only asking for a person or a return can be
 * declined: "not delivered" and "还不发货" are questions about the parcel, not their negation.
 */
export const NEGATIONS = {
  cancels: ['HUMAN', 'RETURN_POLICY'] as BotIntent[],
  zh: ['不要', '不用', '不需要', '无需', '無需', '不想', '别', '別', '不'],
  en: ['not', 'no', "don't", 'dont', 'never', 'without', "doesn't", "won't", 'nothing'],
  enFiller: [
    'a',
    'an',
    'the',
    'any',
    'to',
    'want',
    'need',
    'wanna',
    'for',
    'talk',
    'speak',
    'with',
  ],
} as const;
