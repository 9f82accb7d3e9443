// Test support of the user service (CONVENTIONS 11: fakes behind a `testing` entry): builders
// for test data and in-memory ports for fast application-layer tests.
export * from './builders';
export * from './in-memory';
export * from './harness';
export * from './in-memory-security';
export * from './passkey-harness';
export * from './soft-authenticator';
