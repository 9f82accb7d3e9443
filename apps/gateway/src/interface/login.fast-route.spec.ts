import { LoginDto } from './dto/user.dto';
import { credentialsOf } from './login.fast-route';
import { ProblemError } from './problem';
import { validationPipe } from './validation';

/** What the Nest route's ValidationPipe makes of a body: the DTO, or undefined (its 400). */
async function viaPipe(body: unknown): Promise<LoginDto | undefined> {
  try {
    return (await validationPipe.transform(body, { type: 'body', metatype: LoginDto })) as LoginDto;
  } catch (e) {
    if (e instanceof ProblemError && e.status === 400) return undefined;
    throw e;
  }
}

const ok = { identifier: 'li.lei@example.cn', password: 'correct horse battery' };

/** Bodies of plain text (no surrogates or variation selectors): the fast route takes exactly these. */
const plain: unknown[] = [
  undefined,
  null,
  [],
  'x',
  5,
  {},
  ok,
  { ...ok, extra: 1 },
  { identifier: ok.identifier },
  { password: ok.password },
  { identifier: '', password: 'p' },
  { identifier: 'i', password: '' },
  { identifier: 'i'.repeat(254), password: 'p'.repeat(128) },
  { identifier: 'i'.repeat(255), password: 'p' },
  { identifier: 'i', password: 'p'.repeat(129) },
  { identifier: 5, password: 'p' },
  { identifier: 'i', password: null },
  { identifier: ['i'], password: 'p' },
  { identifier: '李雷@例子.中国', password: '密码密码密码密码密码' },
  { __proto__: ok },
];

/** Bodies the fast route leaves to the Nest route whatever it answers (lengths counted apart). */
const counted: unknown[] = [
  { identifier: '😀', password: 'p' },
  { identifier: 'i', password: '😀'.repeat(100) },
  { identifier: '\uFE0F', password: 'p' },
  { identifier: 'i', password: 'p'.repeat(128) + '\uFE0F' },
];

describe('the login fast route takes the bodies LoginDto takes as they are', () => {
  it.each(plain.map((b) => [JSON.stringify(b) ?? String(b), b]))(
    '%s: the same verdict and credentials as the ValidationPipe',
    async (_name, body) => {
      const dto = await viaPipe(body);
      expect(credentialsOf(body)).toEqual(
        dto && { identifier: dto.identifier, password: dto.password },
      );
    },
  );

  it.each(counted.map((b) => [JSON.stringify(b), b]))(
    '%s: left to the Nest route (class-validator counts its length differently)',
    (_name, body) => {
      expect(credentialsOf(body)).toBeUndefined();
    },
  );
});
