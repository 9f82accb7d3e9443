// Test support of the search service (CONVENTIONS 11: fakes behind a `testing` entry): builders
// for test data and in-memory ports for fast application-layer tests.
export * from './builders';
export * from './in-memory';
