// Test support of the review service: in-memory ports and builders for fast use-case tests.
export * from './builders';
export * from './in-memory';
