import type { Locale } from './channels';
import type { TemplateValue } from './values';

type Phrase = { text: Readonly<Record<Locale, string>> };
const phrase = (zh: string, en: string): Phrase => ({ text: { 'zh-CN': zh, en } });

/** `SecurityChanged.change` for people; a change this service does not know yet says its code. */
const CHANGES: Record<string, Phrase> = {
  PASSWORD: phrase('登录密码已修改', 'your password was changed'),
  EMAIL: phrase('登录邮箱已更换为', 'your e-mail address was changed to'),
  PHONE: phrase('手机号已更换为', 'your phone number was changed to'),
  PASSKEY_ADDED: phrase('已添加通行密钥', 'a passkey was added:'),
  PASSKEY_REMOVED: phrase('已移除通行密钥', 'a passkey was removed:'),
  SMS_MFA_ON: phrase('短信验证码登录保护已开启', 'SMS codes were turned on as a second factor'),
  SMS_MFA_OFF: phrase('短信验证码登录保护已关闭', 'SMS codes were turned off as a second factor'),
  SESSION_REVOKED: phrase('一个登录会话已被退出', 'a session was signed out:'),
  DEVICE_FORGOTTEN: phrase('一台登录设备已被移除', 'a device was removed:'),
};

export function changePhrase(change: string): Phrase {
  return (
    CHANGES[change] ??
    phrase(`账户安全设置已更改（${change}）`, `a security setting changed (${change})`)
  );
}

/** How a session was signed in (`LoginAnomaly.signed_in_with`) for people. */
const METHODS: Record<string, Phrase> = {
  PASSWORD: phrase('密码', 'password'),
  'PASSWORD+TOTP': phrase('密码 + 身份验证器', 'password and an authenticator app'),
  'PASSWORD+SMS': phrase('密码 + 短信验证码', 'password and an SMS code'),
  'PASSWORD+PASSKEY': phrase('密码 + 通行密钥', 'password and a passkey'),
  'PASSWORD+RECOVERY_CODE': phrase('密码 + 恢复码', 'password and a recovery code'),
  PASSKEY: phrase('通行密钥', 'a passkey'),
};

export function signedInWithPhrase(method: string): TemplateValue {
  return METHODS[method] ?? (method || phrase('未知', 'unknown'));
}

/** The device's name, or that it sent none. */
export const devicePhrase = (name: string): TemplateValue =>
  name || phrase('未知设备', 'an unknown device');

/** The place of an address ("浙江省杭州市"), the local network, or that it is unknown. */
export function placePhrase(place: string): TemplateValue {
  if (place === 'local network') return phrase('局域网', 'local network');
  return place || phrase('未知地点', 'an unknown place');
}
