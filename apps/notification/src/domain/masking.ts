import type { Channel } from './channels';

/** z***@example.com: the first character of the local part, then ***. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address[0]}***${address.slice(at)}`;
}

/** +86138****8000: the country code and first three digits, four stars, the last four. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, '');
  if (digits.length <= 8) return `${digits.slice(0, 2)}****`;
  const cc = digits.startsWith('+86') ? 3 : digits.startsWith('+') ? 3 : 0;
  return `${digits.slice(0, cc + 3)}****${digits.slice(-4)}`;
}

/** A push token: its first four characters. */
export function maskToken(token: string): string {
  return token.length <= 4 ? '****' : `${token.slice(0, 4)}****`;
}

export function maskRecipient(channel: Channel, recipient: string): string {
  if (!recipient) return '';
  if (channel === 'EMAIL') return maskEmail(recipient);
  if (channel === 'SMS') return maskPhone(recipient);
  return maskToken(recipient);
}
