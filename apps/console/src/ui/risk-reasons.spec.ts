import { IntlMessageFormat } from 'intl-messageformat';
import { messages } from '../messages';
import { RISK_REASONS, riskReason } from './risk-reasons';

/** `t` of one language, as react-intl formats the shell's messages. */
const tOf =
  (locale: 'zh-CN' | 'en') =>
  (id: string, values?: Record<string, string>): string => {
    const message = messages[locale][id];
    if (message === undefined) throw new Error(`no message ${id} in ${locale}`);
    return String(new IntlMessageFormat(message, locale).format(values));
  };

describe("risk's reason codes in words", () => {
  it.each(['zh-CN', 'en'] as const)('has words for every known code in %s', (locale) => {
    for (const code of RISK_REASONS)
      expect({ code, has: messages[locale][`reason.${code}`] !== undefined }).toEqual({
        code,
        has: true,
      });
  });

  it('shows the words with the code, the new address and return reasons included (issue 24)', () => {
    const zh = tOf('zh-CN');
    const en = tOf('en');
    expect(riskReason(zh, 'LARGE_AMOUNT')).toBe('金额超过阈值（LARGE_AMOUNT）');
    expect(riskReason(zh, 'RETURN_ABUSE_RETURN_RATE')).toBe(
      '退货率过高（RETURN_ABUSE_RETURN_RATE）',
    );
    expect(riskReason(en, 'ADDRESS_SPREAD_ACCOUNT')).toBe(
      'One account ships to many addresses (ADDRESS_SPREAD_ACCOUNT)',
    );
    expect(riskReason(en, 'ADDRESS_DETAIL_VAGUE')).toMatch(
      /^Vague street address .*\(ADDRESS_DETAIL_VAGUE\)$/,
    );
  });

  it('calls an address doubt it does not know a doubtful address, and shows other codes as they are', () => {
    expect(riskReason(tOf('zh-CN'), 'ADDRESS_POSTAL_CODE_MISMATCH')).toBe(
      '收货地址存疑（ADDRESS_POSTAL_CODE_MISMATCH）',
    );
    expect(riskReason(tOf('en'), 'SOMETHING_NEW')).toBe('SOMETHING_NEW');
  });
});
