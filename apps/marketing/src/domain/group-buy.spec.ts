import { expire, type Group, join, openGroup } from './group-buy';

const now = new Date('2026-11-11T10:00:00Z');
const later = (min: number) => new Date(now.getTime() + min * 60_000);
const fresh = (size = 3) => openGroup({ id: 'g', dealId: 'd', size, deadline: later(60), now });

describe('group buying', () => {
  it('fills up and confirms every order with the last join', () => {
    let g: Group = fresh();
    for (const [u, o] of [
      ['u1', 'o1'],
      ['u2', 'o2'],
    ]) {
      const r = join(g, u, o, now);
      expect(r.result).toBe('JOINED');
      g = r.group;
    }
    const last = join(g, 'u3', 'o3', now);
    expect(last).toMatchObject({ result: 'COMPLETED', confirm: ['o1', 'o2', 'o3'] });
    expect(() => join(last.group, 'u4', 'o4', now)).toThrow(
      expect.objectContaining({ code: 'GROUP_FULL' }),
    );
    expect(expire(last.group, later(120))).toBeNull();
  });

  it('never gives one seat twice: repeats are no-ops, second seats refused', () => {
    const g = join(fresh(), 'u1', 'o1', now).group;
    expect(join(g, 'u1', 'o1', now).result).toBe('ALREADY_JOINED');
    expect(() => join(g, 'u1', 'o9', now)).toThrow(
      expect.objectContaining({ code: 'GROUP_ALREADY_JOINED' }),
    );
  });

  it('fails at the deadline and refunds everyone who joined', () => {
    let g = fresh();
    g = join(g, 'u1', 'o1', now).group;
    g = join(g, 'u2', 'o2', now).group;
    expect(expire(g, later(59))).toBeNull();
    const failed = expire(g, later(60))!;
    expect(failed.refund).toEqual(['o1', 'o2']);
    expect(() => join(failed.group, 'u3', 'o3', later(61))).toThrow(
      expect.objectContaining({ code: 'GROUP_CLOSED' }),
    );
    expect(() => join(g, 'u3', 'o3', later(60))).toThrow(
      expect.objectContaining({ code: 'GROUP_CLOSED' }),
    );
  });

  it('refuses nonsense groups', () => {
    expect(() => openGroup({ id: 'g', dealId: 'd', size: 1, deadline: later(1), now })).toThrow(
      expect.objectContaining({ code: 'GROUP_SIZE_INVALID' }),
    );
    expect(() => openGroup({ id: 'g', dealId: 'd', size: 2, deadline: now, now })).toThrow(
      expect.objectContaining({ code: 'GROUP_DEADLINE_INVALID' }),
    );
  });
});
