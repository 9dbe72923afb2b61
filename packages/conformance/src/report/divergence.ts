// What the report needs to know about one divergence: the shape E's replay checker gives
// (`check` results), so a check run can be drawn without converting anything.

export interface ReportDivergence {
  /** The recorded line (1-based) of the call the emulation disagreed on. */
  readonly line: number;
  readonly pid: number | null;
  readonly syscall: string;
  /** What the kernel did, as recorded. */
  readonly expected: string;
  /** What the emulation did. */
  readonly emulated: string;
  /** The rule (catalogue id or checker rule name) that compared them. */
  readonly rule: string;
}

export interface ReportOptions {
  readonly title: string;
  readonly divergences?: readonly ReportDivergence[];
}
