import { consumerLag, heldMessages } from './consumer-lag';

const marks = (...ps: [low: number, high: number][]) =>
  ps.map(([low, high], partition) => ({ partition, low: String(low), high: String(high) }));
const commits = (...offsets: number[]) =>
  offsets.map((offset, partition) => ({ partition, offset: String(offset) }));

describe('consumer lag', () => {
  it('sums end offset minus committed offset over the partitions', () => {
    expect(consumerLag(marks([0, 10], [0, 7], [0, 0]), commits(4, 7, 0))).toBe(6);
  });

  it('is 0 for a group that has read everything', () => {
    expect(consumerLag(marks([3, 10], [0, 5]), commits(10, 5))).toBe(0);
  });

  it('counts a partition without a commit from where the consumer starts: the earliest message, or the end', () => {
    // kafkajs answers -1 for a partition the group never committed
    expect(consumerLag(marks([2, 10], [0, 4]), commits(-1, 4))).toBe(8);
    expect(consumerLag(marks([2, 10], [0, 4]), commits(-1, 4), false)).toBe(0);
    // a partition missing from the answer altogether is the same
    expect(consumerLag(marks([0, 5], [0, 3]), commits(5))).toBe(3);
  });

  it('counts a commit retention has deleted past from the earliest message still held', () => {
    expect(consumerLag(marks([100, 120]), commits(40))).toBe(20);
  });

  it('never goes below 0 per partition (a commit read ahead of a stale end offset)', () => {
    expect(consumerLag(marks([0, 10], [0, 10]), commits(12, 7))).toBe(3);
  });

  it('reads offsets beyond 2^31', () => {
    const big = 2 ** 40;
    expect(consumerLag(marks([big, big + 50]), commits(big + 20))).toBe(30);
  });
});

describe('messages held in a (dead-letter) topic', () => {
  it('sums high minus low watermark over the partitions', () => {
    expect(heldMessages(marks([0, 2], [5, 5], [3, 4]))).toBe(3);
    expect(heldMessages([])).toBe(0);
  });
});
