export { main } from './cli/main.js';
export type { CliIo } from './cli/main.js';
// The HTML timeline report (engineer H).
export { renderReport } from './report/index.js';
export type { ReportDivergence, ReportOptions } from './report/index.js';
