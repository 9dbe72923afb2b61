// Escaping for the two places report text lands in the page: HTML text and a JSON block
// inside <script>. Captures hold arbitrary bytes, so nothing is inserted unescaped.

export function escapeHtml(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    switch (c) {
      case '&':
        out += '&amp;';
        break;
      case '<':
        out += '&lt;';
        break;
      case '>':
        out += '&gt;';
        break;
      case '"':
        out += '&quot;';
        break;
      case "'":
        out += '&#39;';
        break;
      default:
        out += c;
    }
  }
  return out;
}

/**
 * JSON that is safe between <script type="application/json"> tags: `<` is escaped so that no
 * `</script>` or `<!--` can end or change the block, and U+2028/2029 for old parsers.
 * Lone surrogates become \\uXXXX escapes (JSON.stringify does that in Node 12+).
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .split('<')
    .join('\\u003c')
    .split('>')
    .join('\\u003e')
    .split('&')
    .join('\\u0026')
    .split('\u2028')
    .join('\\u2028')
    .split('\u2029')
    .join('\\u2029');
}
