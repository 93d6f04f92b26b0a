/**
 * How long the tests that start real processes wait: one setting for all of them,
 * `TEST_PROCESS_TIMEOUT_MS` (default 5 minutes), so a busy machine is given time by one variable instead
 * of each test's own guess. A test waits for an outcome up to this long; it never asserts on how long
 * the outcome took.
 */
const configured = Number(process.env.TEST_PROCESS_TIMEOUT_MS);

/** the longest a test waits for a process to start, a job to finish or a state to be reached */
export const PROCESS_WAIT_MS = Number.isFinite(configured) && configured > 0 ? configured : 300_000;

/** a whole process test: a few waits of PROCESS_WAIT_MS */
export const PROCESS_TEST_MS = 3 * PROCESS_WAIT_MS;
