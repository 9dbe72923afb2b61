// strace's -T duration (`<0.000123>`: seconds with up to nine decimals) as nanoseconds.

/** `-T` text (`0.000123`, seconds with 0–9 decimals) as nanoseconds; null if not that form. */
export function durationNs(text: string): bigint | null {
  const dot = text.indexOf('.');
  const whole = dot < 0 ? text : text.slice(0, dot);
  const frac = dot < 0 ? '' : text.slice(dot + 1);
  if (whole.length === 0 || frac.length > 9 || !isDigits(whole) || !isDigits(frac)) return null;
  return BigInt(whole) * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9));
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
