import { publicUrlProblem } from './public-url';

describe('publicUrlProblem', () => {
  it.each([
    'https://img.example.cn/a.jpg',
    'https://cdn.example.com:8443/p/1.png?x=1',
    'https://[2001:db8::1]/a.jpg',
    'https://8.8.8.8/a.jpg',
    'https://[::ffff:8.8.8.8]/a.jpg',
  ])('accepts %p', (url) => {
    expect(publicUrlProblem(url)).toBeUndefined();
  });

  it.each([
    ['', 'must be 1..2048 characters'],
    [`https://example.com/${'a'.repeat(2048)}`, 'must be 1..2048 characters'],
    ['not a url', 'is not a URL'],
    ['http://img.example.cn/a.jpg', 'must be https'],
    ['javascript:alert(1)', 'must be https'],
    ['https://user:pw@img.example.cn/a.jpg', 'must not carry credentials'],
    ['https://localhost/a.jpg', 'must not point at localhost'],
    ['https://shop.localhost/a.jpg', 'must not point at localhost'],
    ['https://127.0.0.1/a.jpg', 'must not point at a private address'],
    ['https://10.1.2.3/a.jpg', 'must not point at a private address'],
    ['https://172.20.0.1/a.jpg', 'must not point at a private address'],
    ['https://192.168.1.1/a.jpg', 'must not point at a private address'],
    ['https://169.254.169.254/latest/meta-data', 'must not point at a private address'],
    ['https://100.64.0.1/a.jpg', 'must not point at a private address'],
    ['https://[::1]/a.jpg', 'must not point at a private address'],
    ['https://[fd00::1]/a.jpg', 'must not point at a private address'],
    ['https://[fe80::1]/a.jpg', 'must not point at a private address'],
    ['https://[::ffff:10.0.0.1]/a.jpg', 'must not point at a private address'],
  ])('refuses %p: %s', (url, why) => {
    expect(publicUrlProblem(url)).toBe(why);
  });
});
