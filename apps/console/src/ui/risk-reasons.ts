/**
 * The reason codes risk and the order service give an order's decision, in words wherever they
 * are shown (an order's screen, the orders held for review, risk's review queue and decision
 * trail): 金额超过阈值（LARGE_AMOUNT）. The words are the shell's `reason.<CODE>` messages; a code
 * not known here is shown as it is (an address doubt risk learnt later as "doubtful address").
 */
export const RISK_REASONS = [
  'LARGE_AMOUNT',
  'BRUSHING',
  'VELOCITY_ACCOUNT',
  'VELOCITY_IP',
  'VELOCITY_ADDRESS',
  'VELOCITY_DEVICE',
  'COUPON_ABUSE_DEVICE',
  'COUPON_ABUSE_ADDRESS',
  'LOGIN_ANOMALY',
  'NEW_ACCOUNT',
  'LISTED_ACCOUNT',
  'LISTED_DEVICE',
  'LISTED_IP',
  'LISTED_ADDRESS',
  'LISTED_PHONE',
  'RISK_UNAVAILABLE',
  'RISK_NOT_CONFIGURED',
  // issue 24: address doubts (ADDRESS_<ISSUE>), addresses shared or spread, return abuse
  'ADDRESS_DETAIL_VAGUE',
  'ADDRESS_PHONE_OTHER_COUNTRY',
  'ADDRESS_RECIPIENT_DOUBTFUL',
  'ADDRESS_REGION_MISMATCH_IN_DETAIL',
  'ADDRESS_SPREAD_ADDRESS',
  'ADDRESS_SPREAD_ACCOUNT',
  'RETURN_ABUSE_RETURN_RATE',
  'RETURN_ABUSE_EXCHANGES',
  'RETURN_ABUSE_REFUNDS_WITHOUT_RETURN',
  'RETURN_ABUSE_ITEMS_MISMATCH',
  // issue 23: the fraud model's score at or over a MODEL_SCORE rule's threshold
  'MODEL_SCORE',
] as const;

const KNOWN = new Set<string>(RISK_REASONS);

/** A reason code in words where known, with the code: 退货率过高（RETURN_ABUSE_RETURN_RATE）. */
export function riskReason(
  t: (id: string, values?: Record<string, string>) => string,
  code: string,
): string {
  const words = KNOWN.has(code)
    ? t(`reason.${code}`)
    : /^ADDRESS_[A-Z_]+$/.test(code)
      ? t('reason.ADDRESS_OTHER')
      : null;
  return words === null ? code : t('reason.withCode', { reason: words, code });
}
