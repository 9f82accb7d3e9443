import { invalid } from './review-error';

const MAX_WORDS = 2000;
const MAX_WORD_LENGTH = 64;

/** The form text and words are compared in: NFKC, then case-folded (full-width and case variants meet). */
export function normaliseForMatching(text: string): string {
  return text.normalize('NFKC').toLowerCase().normalize('NFKC');
}

/**
 * An operator's list as stored: each word trimmed and normalised, blanks refused, duplicates
 * dropped (first kept), at most 2000 words of at most 64 characters.
 */
export function validateBannedWords(words: readonly string[]): string[] {
  if (words.length > MAX_WORDS)
    throw invalid('BANNED_WORDS_INVALID', `at most ${MAX_WORDS} words`, 'words');
  const out: string[] = [];
  words.forEach((w, i) => {
    const n = normaliseForMatching(String(w ?? '').trim());
    if (!n || [...n].length > MAX_WORD_LENGTH)
      throw invalid(
        'BANNED_WORDS_INVALID',
        `words[${i}] must be 1..${MAX_WORD_LENGTH} characters`,
        `words.${i}`,
      );
    if (!out.includes(n)) out.push(n);
  });
  return out;
}

/**
 * The banned words found in `text`, in list order. Substring matching on the normalised text:
 * Chinese has no word boundaries, so a word is found wherever it occurs (the list should hold
 * words specific enough not to hit innocent longer words).
 */
export function findBannedWords(text: string, words: readonly string[]): string[] {
  const haystack = normaliseForMatching(text);
  return words.filter((w) => w && haystack.includes(normaliseForMatching(w)));
}
