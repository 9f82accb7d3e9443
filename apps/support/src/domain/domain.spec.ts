import { validateAttachmentUrls } from './attachments';
import {
  aggregateInsights,
  csvField,
  insightsCsv,
  isoWeekOf,
  parseIsoWeek,
  weekSearchRange,
} from './insights';
import { computeKpis, median, type TicketFacts } from './kpis';
import { DEFAULT_SLA_TARGETS, priorityOf, validateSlaTargets, type SlaTarget } from './policy';
import { renderTemplate, validateTemplate, variablesOf } from './template';
import { Ticket } from './ticket';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'NO ERROR';
};

describe('priority', () => {
  it.each([
    ['PRODUCT_QUALITY', '', 'P2'],
    ['RETURN_REFUND', 'MEMBER', 'P2'],
    ['LOGISTICS_DELAY', 'SILVER', 'P3'],
    ['ACCOUNT', '', 'P3'],
    ['OTHER', '', 'P4'],
    ['PRODUCT_QUALITY', 'GOLD', 'P1'],
    ['LOGISTICS_DELAY', 'PLATINUM', 'P2'],
    ['OTHER', 'GOLD', 'P3'],
  ] as const)('%s for tier %s is %s', (category, tier, p) => {
    expect(priorityOf(category, tier)).toBe(p);
  });

  it('never goes past P1, whatever the boost table says', () => {
    expect(priorityOf('OTHER', 'VIP', { VIP: 9 })).toBe('P1');
  });
});

describe('SLA targets', () => {
  const table = (over: Partial<Record<string, Partial<SlaTarget>>>) =>
    DEFAULT_SLA_TARGETS.map((t) => ({ ...t, ...(over[t.priority] ?? {}) }));

  it('accepts the defaults and returns them in priority order', () => {
    expect(validateSlaTargets([...DEFAULT_SLA_TARGETS].reverse()).map((t) => t.priority)).toEqual([
      'P1',
      'P2',
      'P3',
      'P4',
    ]);
  });

  it.each([
    ['a missing priority', DEFAULT_SLA_TARGETS.slice(1)],
    ['a duplicate', [...DEFAULT_SLA_TARGETS, DEFAULT_SLA_TARGETS[0]]],
    ['zero minutes', table({ P2: { firstResponseMinutes: 0 } })],
    ['first response after resolution', table({ P3: { firstResponseMinutes: 5000 } })],
    ['P1 slower than P2', table({ P1: { resolutionMinutes: 2000 } })],
    [
      'an unknown priority',
      [...DEFAULT_SLA_TARGETS.slice(1), { ...DEFAULT_SLA_TARGETS[0], priority: 'P0' }],
    ],
  ])('refuses %s', (_what, targets) => {
    expect(code(() => validateSlaTargets(targets as SlaTarget[]))).toBe('SLA_TARGETS_INVALID');
  });
});

describe('attachment URLs', () => {
  it('keeps good https URLs as given', () => {
    const urls = ['https://img.example.com/a.jpg?x=1', 'https://8.8.8.8/p.png'];
    expect(validateAttachmentUrls(urls)).toEqual(urls);
  });

  it.each([
    'http://img.example.com/a.jpg',
    'https://user:pw@img.example.com/a.jpg',
    'https://localhost/a.jpg',
    'https://127.0.0.1/a.jpg',
    'https://10.1.2.3/a.jpg',
    'https://192.168.0.9/a.jpg',
    'https://172.20.0.1/a.jpg',
    'https://169.254.169.254/latest',
    'https://[::1]/a.jpg',
    'https://[fd00::1]/a.jpg',
    'not a url',
  ])('refuses %s', (u) => {
    expect(code(() => validateAttachmentUrls([u]))).toBe('ATTACHMENT_URL_INVALID');
  });

  it('refuses a URL longer than 2048 characters', () => {
    const long = `https://img.example.com/${'a'.repeat(2048 - 24)}`;
    expect(validateAttachmentUrls([long])).toHaveLength(1);
    expect(code(() => validateAttachmentUrls([`${long}a`]))).toBe('ATTACHMENT_URL_INVALID');
  });

  it('refuses a tenth URL', () => {
    const urls = Array.from({ length: 10 }, (_, i) => `https://cdn.example.com/${i}.jpg`);
    expect(code(() => validateAttachmentUrls(urls))).toBe('ATTACHMENT_URL_INVALID');
    expect(validateAttachmentUrls(urls.slice(0, 9))).toHaveLength(9);
  });
});

describe('templates', () => {
  const t = (body: string) => ({ id: '', name: 'n', categories: [], locale: 'en' as const, body });

  it('names every unknown variable', () => {
    let message = '';
    try {
      validateTemplate(t('Hi {{customer_name}}, {{coupon}} and {{ order_total }}'));
    } catch (e) {
      message = (e as Error).message;
      expect((e as { code: string }).code).toBe('TEMPLATE_INVALID');
    }
    expect(message).toContain('{{coupon}}');
    expect(message).toContain('{{order_total}}');
    expect(message).not.toContain('customer_name}}, ');
  });

  it('renders known values and reports the missing ones, left as written', () => {
    const body =
      'Hi {{customer_name}}, order {{order_id}} goes by {{ carrier }} ({{tracking_number}}).';
    expect(variablesOf(body)).toEqual(['customer_name', 'order_id', 'carrier', 'tracking_number']);
    expect(renderTemplate(body, { customer_name: 'Li', order_id: 'O-1', carrier: 'SF' })).toEqual({
      rendered: 'Hi Li, order O-1 goes by SF ({{tracking_number}}).',
      missing: ['tracking_number'],
    });
  });
});

describe('KPIs', () => {
  const at = (min: number) => new Date(Date.UTC(2026, 10, 23, 0, min));
  const facts = (over: Partial<TicketFacts>): TicketFacts => ({
    assigneeId: 'a',
    handedOffAt: at(0),
    firstRespondedAt: null,
    resolvedAt: null,
    reopenCount: 0,
    surveyRating: null,
    firstResponseBreached: false,
    resolutionBreached: false,
    ...over,
  });

  it('median of an even count is the mean of the middle two', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([])).toBe(0);
  });

  it('per agent and team, from hand-off', () => {
    const { agents, team } = computeKpis([
      facts({ firstRespondedAt: at(10), resolvedAt: at(60), surveyRating: 5 }),
      facts({ firstRespondedAt: at(20), resolvedAt: at(120), reopenCount: 1, surveyRating: 2 }),
      facts({ firstRespondedAt: at(40), firstResponseBreached: true, resolutionBreached: true }),
      facts({ assigneeId: 'b', firstRespondedAt: at(5), resolvedAt: at(30), surveyRating: 4 }),
      facts({ assigneeId: null }),
    ]);
    expect(agents.map((a) => a.agentId)).toEqual(['a', 'b']);
    expect(agents[0]).toEqual({
      agentId: 'a',
      ticketsAssigned: 3,
      ticketsResolved: 2,
      resolutionRate: 0.6667,
      reopenRate: 0.5,
      firstResponseSecondsAvg: (600 + 1200 + 2400) / 3,
      firstResponseSecondsP50: 1200,
      resolutionSecondsAvg: 5400,
      resolutionSecondsP50: 5400,
      satisfactionAvg: 3.5,
      surveys: 2,
      slaBreaches: 2,
    });
    expect(team).toMatchObject({
      agentId: '',
      ticketsAssigned: 5,
      ticketsResolved: 3,
      resolutionRate: 0.6,
      satisfactionAvg: 3.6667,
      surveys: 3,
      firstResponseSecondsP50: 900,
    });
  });
});

describe('ISO weeks and the insight export', () => {
  it('parses and validates weeks', () => {
    expect(parseIsoWeek('2026-W48')).toEqual({ year: 2026, week: 48 });
    expect(parseIsoWeek('2026-W53')).toEqual({ year: 2026, week: 53 }); // 2026 starts on a Thursday
    for (const w of ['2025-W53', '2026-W00', '2026-48', '2026-W4', ''])
      expect(code(() => parseIsoWeek(w))).toBe('WEEK_INVALID');
  });

  it('puts an instant in the week of the shop time zone', () => {
    // Sunday 2026-11-29 17:00 UTC is Monday 01:00 in Shanghai: week 49 there, 48 in UTC
    const at = new Date('2026-11-29T17:00:00Z');
    expect(isoWeekOf(at, 'Asia/Shanghai')).toEqual({ year: 2026, week: 49 });
    expect(isoWeekOf(at, 'UTC')).toEqual({ year: 2026, week: 48 });
    expect(isoWeekOf(new Date('2027-01-01T12:00:00Z'), 'UTC')).toEqual({ year: 2026, week: 53 });
    const r = weekSearchRange({ year: 2026, week: 49 });
    expect(
      r.from <= new Date('2026-11-29T16:00:00Z') && r.to >= new Date('2026-12-06T16:00:00Z'),
    ).toBe(true);
  });

  it('counts by category, SKU and warehouse, most first, and quotes CSV per RFC 4180', () => {
    const w = { year: 2026, week: 48 };
    const d = new Date('2026-11-25T04:00:00Z');
    const rows = aggregateInsights(
      [
        { category: 'PRODUCT_QUALITY', skuId: 's1', warehouseCodes: ['SH', 'BJ'], openedAt: d },
        { category: 'PRODUCT_QUALITY', skuId: 's1', warehouseCodes: ['SH'], openedAt: d },
        { category: 'LOGISTICS_DELAY', skuId: '', warehouseCodes: [], openedAt: d },
        {
          category: 'LOGISTICS_DELAY',
          skuId: '',
          warehouseCodes: [],
          openedAt: new Date('2026-12-01T04:00:00Z'),
        },
      ],
      w,
      'Asia/Shanghai',
    );
    expect(rows).toEqual([
      { category: 'PRODUCT_QUALITY', skuId: 's1', warehouseCode: 'SH', tickets: 2 },
      { category: 'LOGISTICS_DELAY', skuId: '', warehouseCode: '', tickets: 1 },
      { category: 'PRODUCT_QUALITY', skuId: 's1', warehouseCode: 'BJ', tickets: 1 },
    ]);
    expect(insightsCsv(rows)).toBe(
      'category,sku_id,warehouse_code,tickets\r\nPRODUCT_QUALITY,s1,SH,2\r\nLOGISTICS_DELAY,,,1\r\nPRODUCT_QUALITY,s1,BJ,1\r\n',
    );
    expect(csvField('a,"b"\n')).toBe('"a,""b""\n"');
  });
});

describe('Ticket', () => {
  const now = new Date('2026-11-23T00:00:00Z');
  const later = (min: number) => new Date(now.getTime() + min * 60_000);
  const p3 = DEFAULT_SLA_TARGETS[2];
  const open = () =>
    Ticket.open(
      {
        id: 't1',
        accountId: 'c1',
        category: 'LOGISTICS_DELAY',
        priority: 'P3',
        subject: 's',
        locale: 'en',
        orderId: '',
        skuId: '',
        shipmentId: '',
        returnId: '',
        tierCode: '',
        warehouseCodes: [],
        requestId: '',
      },
      now,
    );

  it('starts the clocks at hand-off, meets first response with an agent reply, raises each breach once', () => {
    const t = open();
    expect(t.state.firstResponseDueAt).toBeNull();
    t.handOff('CUSTOMER_ASKED', later(10), p3);
    expect(t.state.firstResponseDueAt).toEqual(later(10 + 240));
    expect(t.state.resolutionDueAt).toEqual(later(10 + 2880));
    expect(t.breachDue(later(249))).toEqual([]);
    expect(t.breachDue(later(250))).toEqual(['FIRST_RESPONSE']);
    expect(t.breachDue(later(251))).toEqual([]);
    t.assign('a1', later(260));
    t.agentReplied('a1', 'm1', later(261));
    expect(t.state).toMatchObject({ status: 'WAITING_CUSTOMER', firstRespondedAt: later(261) });
    t.customerWrote(later(262));
    expect(t.state.status).toBe('ASSIGNED');
    expect(t.breachDue(later(3000))).toEqual(['RESOLUTION']);
    expect(t.pullEvents().map((e) => e.type)).toEqual([
      'TicketOpened',
      'TicketHandedOff',
      'SlaBreached',
      'TicketReplied',
      'SlaBreached',
    ]);
  });

  it('refuses illegal moves', () => {
    const t = open();
    expect(code(() => t.resolve('a', '', now, 7))).toBe('TICKET_STATE_INVALID');
    expect(code(() => t.assign('a', now))).toBe('ALREADY_CLAIMED');
    expect(code(() => t.submitSurvey(5, '', now))).toBe('TICKET_NOT_RESOLVED');
    t.handOff('CATEGORY', now, p3);
    t.assign('a', now);
    expect(code(() => t.assign('b', now))).toBe('ALREADY_CLAIMED');
    expect(code(() => t.handOff('CATEGORY', now, p3))).toBe('TICKET_STATE_INVALID');
  });

  it('resolves, takes one survey, reopens only inside the window', () => {
    const t = open();
    t.handOff('CATEGORY', now, p3);
    t.assign('a', now);
    t.resolve('a', 'refunded', later(30), 7);
    expect(code(() => t.customerWrote(later(31)))).toBe('TICKET_CLOSED');
    expect(code(() => t.submitSurvey(6, '', later(31)))).toBe('RATING_INVALID');
    expect(code(() => t.submitSurvey(4, 'x'.repeat(2001), later(31)))).toBe('COMMENT_INVALID');
    t.submitSurvey(4, 'ok', later(31));
    expect(code(() => t.submitSurvey(4, 'again', later(32)))).toBe('SURVEY_ALREADY_SUBMITTED');
    expect(code(() => t.reopen(later(7 * 1440 + 30), p3, 'a'))).toBe('REOPEN_WINDOW_CLOSED');
    t.reopen(later(7 * 1440 + 29), p3, 'a');
    expect(t.state).toMatchObject({
      status: 'ASSIGNED',
      assigneeId: 'a',
      reopenCount: 1,
      resolvedAt: null,
    });
  });

  it('escalates an active ticket into senior, unassigned; once', () => {
    const t = open();
    t.handOff('CATEGORY', now, p3);
    t.assign('a', now);
    t.escalate('AGENT', later(1));
    expect(t.state).toMatchObject({
      queue: 'senior',
      status: 'OPEN',
      assigneeId: null,
      escalated: true,
    });
    expect(code(() => t.escalate('AGENT', later(2)))).toBe('ALREADY_ESCALATED');
  });
});
