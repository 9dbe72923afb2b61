// The `value` member of SyscallOutcome as a class whose bigint is computed on first read.

/**
 * `= 3`, `= 0x7f…`: the result as printed, its bigint made on first read (most consumers of a
 * scan never look at it, and a BigInt per line is a measurable share of scanning time).
 */
export class ValueOutcome {
  readonly kind = 'value' as const;
  #value: bigint | undefined;
  declare decoration?: string;
  declare extra?: string;

  constructor(readonly text: string) {}

  get value(): bigint {
    // A test library comparing outcomes may read the getter on a copy of the object: it has the
    // text but not the cache (reading #value there would throw).
    const text = this.text;
    if (!(#value in this)) return integerOf(text);
    return (this.#value ??= integerOf(text));
  }

  toJSON(): object {
    return { ...this, value: this.value };
  }
}

/** `-12`, `0x7f`, `022` (octal), `18446744073709551615` as an exact bigint. */
export function integerOf(text: string): bigint {
  const neg = text.charCodeAt(0) === 0x2d;
  const digits = neg ? text.slice(1) : text;
  let v: bigint;
  if (digits.length > 1 && digits.charCodeAt(0) === 0x30 && digits.charCodeAt(1) !== 0x78 && digits.charCodeAt(1) !== 0x58) {
    v = BigInt('0o' + digits.slice(1));
  } else {
    v = BigInt(digits);
  }
  return neg ? -v : v;
}
