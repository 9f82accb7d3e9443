import { publicUrlProblem } from '@emporia/domain';
import { invalid } from './support-error';

export const MAX_ATTACHMENTS = 9;

/**
 * Attachment URLs: at most 9, each acceptable to show to others (`publicUrlProblem`: https, no
 * credentials, not localhost nor a private address). Stored as given, never fetched.
 */
export function validateAttachmentUrls(urls: readonly string[], field = 'attachment_urls') {
  if (urls.length > MAX_ATTACHMENTS)
    throw invalid('ATTACHMENT_URL_INVALID', `at most ${MAX_ATTACHMENTS} attachments`, field);
  urls.forEach((raw, i) => {
    const problem = publicUrlProblem(raw);
    if (problem)
      throw invalid('ATTACHMENT_URL_INVALID', `${field}[${i}]: ${problem}`, `${field}.${i}`);
  });
  return [...urls];
}
