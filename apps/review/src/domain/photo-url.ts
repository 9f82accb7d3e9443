import { publicUrlProblem } from '@emporia/domain';
import { invalid } from './review-error';

export const MAX_PHOTOS = 9;

/**
 * Photo URLs: at most 9, each acceptable to show to others (`publicUrlProblem`: https, no
 * credentials, not localhost nor a private address). Stored as given, never fetched.
 */
export function validatePhotoUrls(urls: readonly string[], field = 'photo_urls'): string[] {
  if (urls.length > MAX_PHOTOS)
    throw invalid('PHOTO_URL_INVALID', `at most ${MAX_PHOTOS} photos`, field);
  return urls.map((raw, i) => {
    const problem = publicUrlProblem(raw);
    if (problem) throw invalid('PHOTO_URL_INVALID', `${field}[${i}] ${problem}`, `${field}.${i}`);
    return raw;
  });
}
