// The HTML timeline report: what other modules (check, run) use to draw a capture.
export { renderReport, renderTimeline } from './render-report.js';
export { buildTimeline } from './timeline-model.js';
export type { Arrow, ArrowKind, Lane, LaneGroup, Mark, MarkKind, Timeline } from './timeline-model.js';
export type { ReportDivergence, ReportOptions } from './divergence.js';
