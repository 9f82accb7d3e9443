import {
  BOT_VOCABULARY,
  NEGATIONS,
  type BotIntent,
  type Vocabulary,
  type VocabularyLocale,
} from './bot-vocabulary';

export type { BotIntent, BotTopic } from './bot-vocabulary';

/** What a customer's message asks, and the order it names (if any). */
export interface RecognisedIntent {
  intent: BotIntent;
  /** A UUID in the text (lower case): the first one. */
  orderId?: string;
  /** Each intent's score (the weights of its phrases found in the text, negated ones left out). */
  scores: Record<Exclude<BotIntent, 'UNKNOWN'>, number>;
  /** The phrases that counted, in the order they appear. */
  matched: string[];
}

/** Below this score an intent is only a hint ("订单", "客服" alone): UNKNOWN. */
export const MIN_INTENT_SCORE = 2;

/** On equal scores the more specific intent wins: a person, then tracking, returns, status. */
const PRECEDENCE: Exclude<BotIntent, 'UNKNOWN'>[] = [
  'HUMAN',
  'TRACKING',
  'RETURN_POLICY',
  'ORDER_STATUS',
];

const UUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const WORD_CHAR = /[a-z0-9']/;
const ENGLISH_ENDINGS = ['', 's', 'es', 'd', 'ed', 'ing'];
/** At most this much of a message is read: a pasted essay is still one question. */
const MAX_TEXT = 2000;

/**
 * The text as the vocabulary is written: NFKC (full-width letters, digits and punctuation become
 * ASCII, "ｗｈｅｒｅ" → "where"), lower case, curly apostrophes straight, whitespace runs one space.
 */
export function normaliseText(text: string): string {
  return String(text ?? '')
    .slice(0, MAX_TEXT)
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc\u2032`]/g, "'")
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

const isLatin = (phrase: string) => /^[a-z0-9' ]+$/.test(phrase);

interface Match {
  intent: Exclude<BotIntent, 'UNKNOWN'>;
  phrase: string;
  start: number;
  end: number;
  weight: number;
}

/** Where `phrase` occurs in `text`: anywhere for Chinese, as whole (inflected) words for English. */
function occurrences(text: string, phrase: string): { start: number; end: number }[] {
  const found: { start: number; end: number }[] = [];
  const latin = isLatin(phrase);
  for (let at = text.indexOf(phrase); at >= 0; at = text.indexOf(phrase, at + 1)) {
    if (!latin) {
      found.push({ start: at, end: at + phrase.length });
      continue;
    }
    if (at > 0 && WORD_CHAR.test(text[at - 1])) continue;
    const after = at + phrase.length;
    const ending = ENGLISH_ENDINGS.find(
      (e) =>
        text.startsWith(e, after) &&
        (after + e.length === text.length || !WORD_CHAR.test(text[after + e.length])),
    );
    if (ending !== undefined) found.push({ start: at, end: after + ending.length });
  }
  return found;
}

/** The phrase at `start` is negated by what comes just before it ("不要…", "don't need a …"). */
function negated(text: string, start: number, latin: boolean): boolean {
  const before = text.slice(0, start);
  if (!latin) {
    const trimmed = before.replace(/[\s,，、]+$/, '');
    return NEGATIONS.zh.some((n) => trimmed.endsWith(n));
  }
  const words = before.split(/[^a-z0-9']+/).filter(Boolean);
  const filler = new Set<string>(NEGATIONS.enFiller);
  while (words.length > 0 && filler.has(words[words.length - 1])) words.pop();
  const last = words[words.length - 1];
  return last !== undefined && (NEGATIONS.en as readonly string[]).includes(last);
}

/**
 * Recognises what the customer asks from free text in simplified or traditional Chinese or
 * English (mixed is fine): every phrase of every locale's table is looked for, the longest
 * non-overlapping ones count (on equal length, the heavier), negated ones do not, and the intent
 * with the highest total wins if it reaches MIN_INTENT_SCORE. A pure function of the text.
 */
export function recogniseIntent(
  text: string,
  vocabularies: Record<VocabularyLocale, Vocabulary> = BOT_VOCABULARY,
): RecognisedIntent {
  const t = normaliseText(text);
  const candidates: Match[] = [];
  for (const vocabulary of Object.values(vocabularies))
    for (const [intent, phrases] of Object.entries(vocabulary) as [
      Match['intent'],
      Record<string, number>,
    ][])
      for (const [phrase, weight] of Object.entries(phrases))
        for (const o of occurrences(t, phrase)) candidates.push({ intent, phrase, weight, ...o });
  candidates.sort(
    (a, b) => b.end - b.start - (a.end - a.start) || b.weight - a.weight || a.start - b.start,
  );
  const taken: Match[] = [];
  for (const m of candidates)
    if (!taken.some((x) => m.start < x.end && x.start < m.end)) taken.push(m);
  taken.sort((a, b) => a.start - b.start);

  const scores = { ORDER_STATUS: 0, TRACKING: 0, RETURN_POLICY: 0, HUMAN: 0 };
  const matched: string[] = [];
  for (const m of taken) {
    if (NEGATIONS.cancels.includes(m.intent) && negated(t, m.start, isLatin(m.phrase))) continue;
    scores[m.intent] += m.weight;
    matched.push(m.phrase);
  }
  const best = PRECEDENCE.reduce((a, b) => (scores[b] > scores[a] ? b : a));
  const orderId = UUID_IN_TEXT.exec(t)?.[0];
  return {
    intent: scores[best] >= MIN_INTENT_SCORE ? best : 'UNKNOWN',
    ...(orderId ? { orderId } : {}),
    scores,
    matched,
  };
}
