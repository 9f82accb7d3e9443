export {
  createEmporiaClient,
  memorySessionStore,
  newIdempotencyKey,
  ok,
  webStorageSessionStore,
  type Account,
  type EmporiaClient,
  type EmporiaClientOptions,
  type SessionStore,
  type SignInResult,
  type StepUpInput,
  type StoredSession,
  type Tokens,
} from './client';
export { isProblem, ProblemError, type Problem } from './problem';
export type { components, operations, paths } from './gen/openapi';
export { GUEST_TOKEN_ROUTES, IDEMPOTENT_ROUTES } from './gen/routes';
