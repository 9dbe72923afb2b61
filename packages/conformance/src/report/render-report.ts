// renderReport(events, options): one self-contained HTML page (inline CSS, JS and SVG; no
// network) showing a capture as a timeline: a lane per task grouped by process, blocked calls
// as bars, clone / vfork-release / reap arrows, and divergences in red.
import type { TraceEvent } from '@forkscope/tracer';
import { CLIENT_SCRIPT } from './client-script.js';
import type { ReportOptions } from './divergence.js';
import { escapeHtml, jsonForScript } from './escape.js';
import { buildTimeline, type ArrowKind, type Timeline } from './timeline-model.js';

const STYLE = `
:root { --bg: #fbfaf7; --ink: #1d2430; --muted: #6b7280; --lane-a: #ffffff; --lane-b: #f3f1ec; --call: #8a94a6;
  --clone: #1f9d55; --exec: #2563eb; --exit: #111827; --wait: #7c3aed; --signal: #d97706; --end: #111827;
  --vfork: #ea580c; --bar: #94a3b8; --red: #dc2626; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
header { padding: 14px 20px 8px; border-bottom: 1px solid #e5e2da; background: #fff; }
h1 { margin: 0 0 4px; font-size: 18px; font-weight: 600; word-break: break-all; }
.summary { color: var(--muted); font-size: 13px; }
.summary b { color: var(--ink); font-weight: 600; }
.summary .bad { color: var(--red); }
.toolbar { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-top: 8px; }
button { font: inherit; font-size: 13px; padding: 3px 10px; border: 1px solid #cfcac0; border-radius: 6px; background: #fff; cursor: pointer; }
button:hover { background: #f1efe9; }
#view-range { color: var(--muted); font-size: 12px; margin-left: 6px; font-variant-numeric: tabular-nums; }
.legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: 12px; color: var(--muted); margin-left: auto; }
.legend svg { vertical-align: middle; margin-right: 4px; }
#timeline-wrap { position: relative; margin: 10px 20px; background: #fff; border: 1px solid #e5e2da; border-radius: 8px; overflow: hidden; }
#timeline { display: block; cursor: grab; user-select: none; touch-action: none; }
#timeline:active { cursor: grabbing; }
.lane.even { fill: var(--lane-a); } .lane.odd { fill: var(--lane-b); }
.lane-axis { stroke: #e2ded5; stroke-width: 1; }
.tick { stroke: #ece9e2; stroke-width: 1; } .tick-label { fill: var(--muted); font-size: 11px; font-variant-numeric: tabular-nums; }
.label-bg { fill: #fff; stroke: #e5e2da; }
.lane-label { font-size: 12.5px; fill: var(--ink); font-weight: 600; } .lane-label.thread { font-weight: 400; fill: var(--muted); }
.mark { stroke: #fff; stroke-width: 0.8; cursor: pointer; }
.ticks { stroke: var(--call); stroke-width: 2; fill: none; cursor: pointer; }
.k-call { fill: var(--call); stroke: none; } .k-clone { fill: var(--clone); } .k-exec { fill: var(--exec); }
.k-exit-call { fill: var(--exit); } .k-wait { fill: var(--wait); } .k-signal { fill: var(--signal); }
.k-end { fill: var(--end); } .k-diagnostic { fill: #db2777; }
.mark.failed { stroke: var(--red); stroke-width: 1.6; }
.mark.divergent { fill: var(--red); stroke: #7f1d1d; stroke-width: 1.2; }
.divergence-ring { fill: none; stroke: var(--red); stroke-width: 2; stroke-dasharray: 3 2; }
.bar { fill: var(--bar); opacity: 0.45; cursor: pointer; }
.bar.vfork-bar { fill: url(#vfork-hatch); opacity: 1; stroke: var(--vfork); stroke-width: 1.2; }
.bar.divergent { fill: var(--red); opacity: 0.5; }
.bar-label { fill: #c2410c; font-size: 10.5px; font-weight: 600; pointer-events: none; }
.arrow { fill: none; stroke-width: 1.5; opacity: 0.85; pointer-events: none; }
.a-clone { stroke: var(--clone); } .a-vfork-release { stroke: var(--vfork); stroke-dasharray: 5 3; } .a-reap { stroke: var(--wait); stroke-dasharray: 2 3; }
#tooltip, #detail { font-size: 12px; }
#tooltip { position: fixed; z-index: 5; max-width: min(900px, 90%); background: #1d2430; color: #f8fafc; padding: 8px 10px; border-radius: 6px; box-shadow: 0 6px 20px rgba(0,0,0,.25); pointer-events: none; }
#tooltip .head, #detail .head { font-weight: 600; margin-bottom: 4px; }
pre.line { margin: 0; white-space: pre-wrap; word-break: break-all; font: 12px/1.45 ui-monospace, "SF Mono", Menlo, Consolas, monospace; }
#detail { margin: 0 20px 10px; padding: 10px 12px; background: #fff; border: 1px solid #e5e2da; border-radius: 8px; }
.div-note { margin-top: 6px; color: var(--red); font-weight: 600; }
section { margin: 0 20px 16px; }
h2 { font-size: 15px; margin: 14px 0 6px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 12.5px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eee; vertical-align: top; word-break: break-word; }
th { color: var(--muted); font-weight: 600; }
tr.clickable { cursor: pointer; } tr.clickable:hover { background: #fef2f2; }
#divergences td:nth-child(4), #divergences td:nth-child(5) { font-family: ui-monospace, Menlo, Consolas, monospace; }
footer { color: var(--muted); font-size: 12px; margin: 0 20px 20px; }
`;

const ARROW_COLOURS: Record<ArrowKind, string> = { clone: '#1f9d55', 'vfork-release': '#ea580c', reap: '#7c3aed' };

function defs(): string {
  const heads = (Object.keys(ARROW_COLOURS) as ArrowKind[])
    .map(
      (k) =>
        `<marker id="head-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="${ARROW_COLOURS[k]}"/></marker>`,
    )
    .join('');
  return `<defs>${heads}<pattern id="vfork-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fed7aa"/><rect width="3" height="6" fill="#fb923c"/></pattern></defs>`;
}

const LEGEND = `<div class="legend" aria-label="legend">
<span><svg width="12" height="14"><rect x="5" y="1" width="2.5" height="12" fill="#8a94a6"/></svg>call</span>
<span><svg width="14" height="14"><path d="M7 0l6 7l-6 7l-6-7z" fill="#1f9d55"/></svg>clone/fork/vfork</span>
<span><svg width="10" height="16"><rect x="2" y="0" width="6" height="16" fill="#2563eb"/></svg>exec</span>
<span><svg width="12" height="12"><circle cx="6" cy="6" r="4" fill="#7c3aed"/></svg>wait</span>
<span><svg width="12" height="12"><circle cx="6" cy="6" r="5" fill="#111827"/></svg>exit call</span>
<span><svg width="12" height="12"><rect x="1" y="1" width="10" height="10" fill="#111827"/></svg>+++ end</span>
<span><svg width="14" height="12"><path d="M7 0l7 12h-14z" fill="#d97706"/></svg>signal</span>
<span><svg width="26" height="10"><rect width="26" height="10" rx="3" fill="#fb923c" stroke="#ea580c"/></svg>vfork suspension</span>
<span><svg width="26" height="10"><rect width="26" height="10" rx="3" fill="#94a3b8" opacity=".55"/></svg>blocked</span>
<span><svg width="26" height="10"><path d="M0 5h26" stroke="#ea580c" stroke-dasharray="5 3" stroke-width="2"/></svg>wakes</span>
<span><svg width="26" height="10"><path d="M0 5h26" stroke="#7c3aed" stroke-dasharray="2 3" stroke-width="2"/></svg>reaps</span>
<span><svg width="12" height="12"><circle cx="6" cy="6" r="5" fill="#dc2626"/></svg>divergence</span>
</div>`;

export function renderReport(events: readonly TraceEvent[], options: ReportOptions): string {
  const timeline = buildTimeline(events, options.divergences ?? []);
  return renderTimeline(timeline, options.title);
}

export function renderTimeline(t: Timeline, title: string): string {
  const processes = t.groups.length;
  const threads = t.lanes.filter((l) => l.thread).length;
  const vforks = t.marks.filter((m) => m.vfork && m.x1 > m.x0).length;
  const n = t.divergences.length;
  const unit = t.unit === 'us' ? 'time from the capture\u2019s timestamps' : 'line order (the capture has no timestamps)';
  const divSection =
    n === 0
      ? ''
      : `<section id="divergences"><h2>${n} divergence${n === 1 ? '' : 's'}</h2><table><thead><tr><th>line</th><th>pid</th><th>syscall</th><th>the kernel did</th><th>the emulation did</th><th>rule</th></tr></thead><tbody id="divergence-rows"></tbody></table></section>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)} \u2014 forkscope</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<div class="summary"><b>${processes}</b> process${processes === 1 ? '' : 'es'}, <b>${threads}</b> thread${threads === 1 ? '' : 's'}, <b>${t.marks.length}</b> events, <b>${vforks}</b> vfork suspension${vforks === 1 ? '' : 's'}${n > 0 ? `, <b class="bad">${n} divergence${n === 1 ? '' : 's'}</b>` : ''} \u00b7 x axis: ${unit}</div>
<div class="toolbar"><button id="zoom-in" title="zoom in (+)">+</button><button id="zoom-out" title="zoom out (-)">\u2212</button><button id="zoom-fit" title="fit (0)">fit</button><span id="view-range"></span>${LEGEND}</div>
</header>
<div id="timeline-wrap"><svg id="timeline" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="timeline">${defs()}</svg></div>
<div id="tooltip" hidden></div>
<div id="detail" hidden></div>
${divSection}
<footer>Wheel zooms around the pointer, shift+wheel or drag pans, click a mark to keep its line below.${t.offLane > 0 ? ` ${t.offLane} line${t.offLane === 1 ? '' : 's'} about no task (strace messages, summaries) are not drawn.` : ''}</footer>
<script type="application/json" id="timeline-data">${jsonForScript(t)}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
