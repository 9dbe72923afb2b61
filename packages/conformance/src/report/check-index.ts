// The index page `check --html DIR` writes beside the timelines: every capture of the run with
// its verdict and counts, each linked to its timeline page (a capture that could not be checked
// has no page; its error is shown instead). Self-contained like the timelines: inline CSS, no
// script, no network; every piece of text from a capture or a path is escaped.
import { escapeHtml } from './escape.js';

export type IndexVerdict = 'conforms' | 'diverges' | 'error';

export interface IndexEntry {
  /** The case id, or the capture's path when it has none. */
  readonly title: string;
  readonly file: string;
  readonly verdict: IndexVerdict;
  readonly events: number;
  readonly checked: number;
  readonly effectChecked: number;
  readonly adopted: number;
  readonly divergences: number;
  /** The timeline page, relative to the index page ('/'-separated), or null when there is none. */
  readonly page: string | null;
  /** For verdict "error": why the capture could not be checked. */
  readonly error?: string;
}

const STYLE = `
:root { --bg: #fbfaf7; --ink: #1d2430; --muted: #6b7280; --red: #dc2626; --green: #15803d; --amber: #b45309; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
header { padding: 14px 20px 8px; border-bottom: 1px solid #e5e2da; background: #fff; }
h1 { margin: 0 0 4px; font-size: 18px; font-weight: 600; }
.summary { color: var(--muted); font-size: 13px; }
.summary b { color: var(--ink); font-weight: 600; }
main { margin: 12px 20px 20px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; border: 1px solid #e5e2da; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.file, td.error { font: 12px/1.45 ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
td.error { color: var(--red); }
.v-conforms { color: var(--green); font-weight: 600; } .v-diverges { color: var(--red); font-weight: 600; } .v-error { color: var(--amber); font-weight: 600; }
`;

/** The page's `href` for a relative path: each segment percent-encoded, so no name can break out of the attribute or the URL. */
export function hrefOf(page: string): string {
  return page
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

export function renderCheckIndex(entries: readonly IndexEntry[], title = 'forkscope check'): string {
  const count = (v: IndexVerdict): number => entries.filter((e) => e.verdict === v).length;
  const rows = entries.map((e) => {
    const name = e.page === null ? escapeHtml(e.title) : `<a href="${escapeHtml(hrefOf(e.page))}">${escapeHtml(e.title)}</a>`;
    const last =
      e.verdict === 'error'
        ? `<td class="error" colspan="5">${escapeHtml(e.error ?? 'could not be checked')}</td>`
        : `<td class="n">${e.events}</td><td class="n">${e.checked}</td><td class="n">${e.effectChecked}</td><td class="n">${e.adopted}</td><td class="n">${e.divergences}</td>`;
    return `<tr><td class="v-${e.verdict}">${e.verdict}</td><td>${name}</td><td class="file">${escapeHtml(e.file)}</td>${last}</tr>`;
  });
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<div class="summary"><b>${entries.length}</b> capture${entries.length === 1 ? '' : 's'}: <b>${count('conforms')}</b> conform, <b>${count('diverges')}</b> diverge, <b>${count('error')}</b> error</div>
</header>
<main>
<table>
<thead><tr><th>verdict</th><th>capture</th><th>file</th><th>events</th><th>checked</th><th>effect-checked</th><th>adopted</th><th>divergences</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</main>
</body>
</html>
`;
}
