/**
 * Exit codes of the `mozaiks` CLI (documented in the README):
 * 0 success, 1 validation or verification failed, 2 usage error, 3 I/O or network error.
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  io: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
