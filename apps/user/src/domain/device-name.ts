import Bowser from 'bowser';

const MAX_NAME = 80;

/** The major version of a browser ("131.0.0.0" → "131"); empty when there is none. */
const major = (version: string | undefined) => (version ?? '').split('.')[0] ?? '';

/**
 * A device's name for people, from its User-Agent, as the sessions list and the new-device notice
 * show it: "Chrome 131 on Windows", "Safari 17 on iPhone", "WeChat 8 on Android". An app's own
 * User-Agent bowser does not know keeps its first product token ("emporia-ios 3.2"); none sent:
 * empty. Parsed by bowser (MIT, maintained, no network).
 */
export function deviceNameFrom(userAgent: string | undefined): string {
  const ua = (userAgent ?? '').trim().slice(0, 1000);
  if (!ua) return '';
  const r = Bowser.getParser(ua).getResult();
  const browser = [r.browser.name, major(r.browser.version)].filter(Boolean).join(' ');
  const model = r.platform.model && r.platform.vendor === 'Apple' ? r.platform.model : '';
  const os = model || r.os.name || '';
  const name = browser && os ? `${browser} on ${os}` : browser || os || ua.split(/\s+/)[0];
  return name.slice(0, MAX_NAME);
}
