import { registration } from './account';
import { checkPasswordPolicy, isCommonPassword } from './password-policy';

const refusal = (password: string, identifiers: string[] = []) => {
  try {
    checkPasswordPolicy(password, identifiers);
    return null;
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('password policy (NIST SP 800-63B)', () => {
  it.each([
    'password1234',
    'Password1234',
    'PASSWORD1234!',
    'qwertyuiop',
    'qwerty123456',
    '1q2w3e4r5t6y',
    'iloveyou2024',
    'Monkey 2024!!',
    'pass word 1234',
    'letmein!!!!!',
    'dragonfly2023',
  ])('refuses %p as PASSWORD_TOO_COMMON', (password) => {
    expect(refusal(password)).toBe('PASSWORD_TOO_COMMON');
  });

  it('refuses a common password at registration too, with the stable code', () => {
    expect(() => registration({ email: 'ann@example.cn', password: 'password1234' })).toThrow(
      expect.objectContaining({ kind: 'INVALID_ARGUMENT', code: 'PASSWORD_TOO_COMMON' }),
    );
  });

  it.each([
    ['short', 'under 10 characters'],
    ['ninechars', '9 characters'],
    ['x'.repeat(129), 'over 128 characters'],
    ['aaaaaaaaaaaa', 'one repeated character'],
    ['0123456789', 'a plain ascending run'],
    ['abcdefghijkl', 'a plain ascending run of letters'],
    ['9876543210', 'a plain descending run'],
  ])('refuses %p as PASSWORD_TOO_WEAK (%s)', (password) => {
    expect(refusal(password)).toBe('PASSWORD_TOO_WEAK');
  });

  it('refuses a password containing the identifier it protects', () => {
    expect(refusal('my-lilei-password', ['lilei@example.cn'])).toBe('PASSWORD_TOO_WEAK');
    expect(refusal('x8613800138000x', ['+8613800138000'])).toBe('PASSWORD_TOO_WEAK');
  });

  it('counts characters, not UTF-16 units: ten CJK characters or emoji are enough, nine are not', () => {
    expect(refusal('我的密码是一二三四五六')).toBeNull();
    expect(refusal('😀😃😄😁😆😅😂🤣😊')).toBe('PASSWORD_TOO_WEAK'); // 9 code points, 18 units
    expect(refusal('😀😃😄😁😆😅😂🤣😊😇')).toBeNull();
  });

  it.each([
    'a long passphrase',
    'operator password 1',
    'customer password 1',
    'a long enough password',
    'correct horse battery',
    'correct horse battery staple',
    'benchmark password 2026',
    'Tr0ub4dor&3 is mine',
    'x'.repeat(60) + 'y',
  ])('accepts %p', (password) => {
    expect(refusal(password, ['ann@example.cn', '+8613800138000'])).toBeNull();
  });

  it('reads the whole list: the most and the least common entries are both found', () => {
    expect(isCommonPassword('123456')).toBe(true);
    expect(isCommonPassword('password')).toBe(true);
    expect(isCommonPassword('xpcrew')).toBe(true); // the last entry
    expect(isCommonPassword('q1w2e3r4t5y6u7i8o9p0')).toBe(true); // one of the longest
    expect(isCommonPassword('not a listed passphrase at all')).toBe(false);
  });
});
