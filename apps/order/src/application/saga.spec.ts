import { createStep, Saga } from './saga';

describe('saga runner', () => {
  const build = (failAt: string | null, log: string[]) =>
    new Saga<{ n: number }, string>(
      ['a', 'b', 'c', 'd'].map((name) =>
        createStep(
          name,
          async (s) => {
            s.n++;
            if (name === failAt) throw new Error(`fail ${name}`);
          },
          name === 'c' ? undefined : async (_s, guard) => void log.push(`undo ${name} ${guard}`),
        ),
      ),
    );

  it('runs every step in order and undoes nothing when all succeed', async () => {
    const log: string[] = [];
    const state = await build(null, log).run({ n: 0 }, async () => {
      throw new Error('never');
    });
    expect(state.n).toBe(4);
    expect(log).toEqual([]);
  });

  it.each([
    ['a', ['a']],
    ['b', ['b', 'a']],
    ['c', ['b', 'a']],
    ['d', ['d', 'b', 'a']],
  ])('a failure in %s undoes the started steps in reverse, itself included', async (at, want) => {
    const log: string[] = [];
    let failed = '';
    let undone: string[] = [];
    await expect(
      build(at, log).run({ n: 0 }, async (_e, undo, step) => {
        failed = step;
        undone = await undo('G');
      }),
    ).rejects.toThrow(`fail ${at}`);
    expect(failed).toBe(at);
    expect(undone).toEqual(want);
    expect(log).toEqual(want.map((n) => `undo ${n} G`));
  });
});
