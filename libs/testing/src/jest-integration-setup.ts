/**
 * Jest setupFilesAfterEnv of the integration project. jest-circus takes the default test
 * timeout from the global config only: a `testTimeout` in a project's config is ignored, and
 * every integration test ran with the 5 s default unless it gave its own. Integration tests
 * wait on real servers, so they get two minutes here (a test may still give less or more).
 */
jest.setTimeout(120_000);
