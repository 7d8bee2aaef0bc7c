/** Exit codes of every `essg` command. */
export const EXIT = {
  ok: 0,
  /** The fleet (or the plan, or the cluster) has problems the user must fix. */
  problems: 1,
  /** Bad arguments, or the input could not be read at all. */
  usage: 2,
} as const;
