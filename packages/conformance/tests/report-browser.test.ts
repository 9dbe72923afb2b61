// The HTML report in a real browser: Debian's chromium driven by playwright-core loads reports
// of real corpus captures and the test checks what a reader would look for (lanes, the vfork
// parent's suspension bar, clone and wake-up arrows, the full line on hover, zoom), then saves
// screenshots under reports/screenshots/.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFile, type TraceEvent } from '@forkscope/tracer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../src/index.js';
import type { ReportDivergence } from '../src/report/index.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const OUT = fileURLToPath(new URL('../reports/screenshots/', import.meta.url));
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser) console.warn(`report browser tests skipped: ${CHROMIUM} is missing (run tools/scripts/install-browser.sh)`);

async function readEvents(caseId: string): Promise<TraceEvent[]> {
  const events: TraceEvent[] = [];
  for await (const ev of parseFile(join(ROOT, 'corpus', caseId, 'capture.strace'))) events.push(ev);
  return events;
}

// playwright-core's types, loaded only when a browser is there.
type Browser = import('playwright-core').Browser;
type Page = import('playwright-core').Page;

function writeReport(name: string, html: string): string {
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `${name}.html`);
  writeFileSync(file, html);
  return file;
}

describe.skipIf(!haveBrowser)('HTML report in chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(file: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 560 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto('file://' + file);
    await page.waitForSelector('#timeline g.scene');
    return { page, errors, requests };
  }

  it('raw/vfork-exec: lanes per task, the vfork suspension bar, clone / release / reap arrows, the line on hover (A2, A3, E26)', async () => {
    const events = await readEvents('raw/vfork-exec');
    const { page, errors, requests } = await open(writeReport('vfork-exec', renderReport(events, { title: 'raw/vfork-exec' })));
    // Two processes, one lane each, labelled with their pids from the capture.
    const labels = await page.locator('text.lane-label').allTextContents();
    expect(labels).toHaveLength(2);
    expect(labels[0]).toMatch(/^17525 raw$/);
    expect(labels[1]).toMatch(/^17526 true$/);
    // The parent's vfork is one bar from the call to its resume, on the parent's lane.
    const bar = page.locator('rect.vfork-bar');
    await expect.poll(() => bar.count()).toBe(1);
    const barBox = await bar.boundingBox();
    const lane0 = await page.locator('rect.lane').first().boundingBox();
    expect(barBox).not.toBeNull();
    expect(lane0).not.toBeNull();
    expect(barBox!.y).toBeGreaterThanOrEqual(lane0!.y);
    expect(barBox!.y + barBox!.height).toBeLessThanOrEqual(lane0!.y + lane0!.height);
    expect(barBox!.width).toBeGreaterThan(4);
    // Arrows: the clone to the child, the child's exec releasing the parent, its exit reaped by wait4.
    expect(await page.locator('path.arrow.a-clone').count()).toBe(1);
    expect(await page.locator('path.arrow.a-vfork-release').count()).toBe(1);
    expect(await page.locator('path.arrow.a-reap').count()).toBe(1);
    await page.screenshot({ path: join(OUT, 'vfork-exec.png'), fullPage: true });

    // Hover the failed execve of the missing path: the tooltip shows its whole recorded line.
    const failedExec = page.locator('rect.mark.k-exec.failed');
    expect(await failedExec.count()).toBe(1);
    await failedExec.hover();
    const tip = page.locator('#tooltip');
    await expect.poll(() => tip.isVisible()).toBe(true);
    const tipText = await tip.textContent();
    expect(tipText).toContain('execve("/nonexistent/prog", ["true"], 0x5603cb3cd748 /* 0 vars */) = -1 ENOENT (No such file or directory)');
    expect(tipText).toContain('pid 17526');
    await page.screenshot({ path: join(OUT, 'vfork-exec-hover.png'), fullPage: true });

    // Zoom in around the vfork: fewer microseconds in view, the bar wider.
    const before = await page.evaluate(() => {
      const v = (globalThis as unknown as { forkscopeReport: { view: { x0: number; x1: number } } }).forkscopeReport.view;
      return v.x1 - v.x0;
    });
    await page.mouse.move(barBox!.x + barBox!.width / 2, barBox!.y + 2);
    await page.mouse.wheel(0, -600);
    await page.waitForTimeout(100);
    const after = await page.evaluate(() => {
      const v = (globalThis as unknown as { forkscopeReport: { view: { x0: number; x1: number } } }).forkscopeReport.view;
      return v.x1 - v.x0;
    });
    expect(after).toBeLessThan(before / 2);
    const zoomedBar = await page.locator('rect.vfork-bar').boundingBox();
    expect(zoomedBar!.width).toBeGreaterThan(barBox!.width * 2);
    await page.screenshot({ path: join(OUT, 'vfork-exec-zoomed.png'), fullPage: true });

    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('posix_spawn/success with a divergence: red mark on its line, listed with what the kernel did', async () => {
    const events = await readEvents('posix_spawn/success');
    const clone = events.find((e) => e.kind === 'syscall' && (e.name === 'clone3' || e.name === 'clone' || e.name === 'vfork'));
    expect(clone).toBeDefined();
    const divergence: ReportDivergence = {
      line: clone!.span.line,
      pid: clone!.pid,
      syscall: clone!.kind === 'syscall' ? clone!.name : '?',
      expected: 'child pid (parent suspended until exec)',
      emulated: 'returned before the child exec\'d <script>alert(1)</script>',
      rule: 'A2',
    };
    const html = renderReport(events, { title: 'posix_spawn/success <b>not bold</b>', divergences: [divergence] });
    const { page, errors, requests } = await open(writeReport('posix-spawn-success', html));
    expect(await page.locator('h1').textContent()).toBe('posix_spawn/success <b>not bold</b>');
    expect(await page.locator('.mark.divergent').count()).toBe(1);
    expect(await page.locator('rect.vfork-bar.divergent').count()).toBe(1);
    const row = page.locator('#divergence-rows tr');
    expect(await row.count()).toBe(1);
    expect(await row.locator('td').allTextContents()).toEqual([
      String(divergence.line),
      String(divergence.pid),
      divergence.syscall,
      divergence.expected,
      divergence.emulated,
      'A2',
    ]);
    await row.click();
    await expect.poll(() => page.locator('#detail').isVisible()).toBe(true);
    expect(await page.locator('#detail .div-note').textContent()).toContain('the emulation did returned before');
    await page.screenshot({ path: join(OUT, 'posix-spawn-success-divergence.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('dash/pipeline: one lane group per process of the pipeline, every clone with its arrow', async () => {
    const events = await readEvents('dash/pipeline');
    const clones = events.filter((e) => e.kind === 'syscall' && ['clone', 'clone3', 'fork', 'vfork'].includes(e.name) && e.outcome.kind === 'value');
    const { page, errors } = await open(writeReport('dash-pipeline', renderReport(events, { title: 'dash/pipeline' })));
    const pids = new Set(events.map((e) => e.pid).filter((p) => p !== null));
    expect(await page.locator('text.lane-label').count()).toBe(pids.size);
    expect(await page.locator('path.arrow.a-clone').count()).toBe(clones.length);
    expect(await page.locator('path.arrow.a-reap').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(OUT, 'dash-pipeline.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('20,000 events: only what is in view is drawn (one plain call per pixel column and lane), zoom reveals more detail', async () => {
    // A synthetic -f capture: a parent forking 7 children, each making thousands of calls.
    let text = '';
    let t = 1_000_000;
    const line = (pid: number, body: string): void => {
      t += 1;
      text += `${pid} ${1795726253 + Math.floor(t / 1e6)}.${String(t % 1e6).padStart(6, '0')} ${body}\n`;
    };
    for (let c = 1; c <= 7; c++) line(100, `fork() = ${100 + c}`);
    for (let i = 0; i < 20_000; i++) line(101 + (i % 7), `getpid() = ${101 + (i % 7)}`);
    for (let c = 1; c <= 7; c++) {
      line(100 + c, 'exit_group(0) = ?');
      line(100 + c, '+++ exited with 0 +++');
      line(100, `wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = ${100 + c}`);
    }
    line(100, '+++ exited with 0 +++');
    const events = (await import('@forkscope/tracer')).parseText(text);
    const { page, errors } = await open(writeReport('synthetic-20k', renderReport(events, { title: '20,000 getpid calls in 7 children' })));
    const ticksOf = (): Promise<number> =>
      page.locator('path.ticks').evaluateAll((els) => els.reduce((n, e) => n + (e.getAttribute('d') ?? '').split('M').length - 1, 0));
    const width = (await page.locator('#timeline').boundingBox())!.width;
    // Plain calls are one path per lane, at most one tick per pixel column; lifecycle marks are elements.
    const elements = await page.locator('g.marks > *').count();
    expect(elements).toBeLessThan(100);
    expect(await page.locator('path.ticks').count()).toBe(7);
    const ticksAll = await ticksOf();
    expect(ticksAll).toBeLessThanOrEqual(7 * Math.ceil(width));
    expect(ticksAll).toBeLessThan(20_000 / 2);
    await page.screenshot({ path: join(OUT, 'synthetic-20k.png'), fullPage: true });
    for (let i = 0; i < 6; i++) await page.click('#zoom-in');
    await page.waitForTimeout(200);
    // Zoomed 64x the calls (1 µs apart) are pixels apart: each call in view has its own tick.
    const callsInView = await page.evaluate(() => {
      const g = globalThis as unknown as { forkscopeReport: { view: { x0: number; x1: number } }; document: { getElementById(id: string): { textContent: string } } };
      const data = JSON.parse(g.document.getElementById('timeline-data').textContent) as { marks: { kind: string; x0: number; failed: boolean }[] };
      const v = g.forkscopeReport.view;
      return data.marks.filter((m) => m.kind === 'call' && !m.failed && m.x0 >= v.x0 && m.x0 <= v.x1).length;
    });
    expect(callsInView).toBeGreaterThan(100);
    expect(await ticksOf()).toBe(callsInView);
    // Hovering a tick finds its call by position.
    const d = (await page.locator('path.ticks').first().getAttribute('d'))!;
    const [tx, ty] = d.slice(1, d.indexOf('v')).split(' ').map(Number) as [number, number];
    const svgBox = (await page.locator('#timeline').boundingBox())!;
    await page.mouse.move(svgBox.x + tx, svgBox.y + ty + 6);
    await expect.poll(() => page.locator('#tooltip').isVisible()).toBe(true);
    expect(await page.locator('#tooltip pre').textContent()).toMatch(/^10[1-7] +\d+\.\d{6} getpid\(\) += 10[1-7]$/);
    await page.screenshot({ path: join(OUT, 'synthetic-20k-zoomed.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a Shadow log (hand-written fixture) draws in simulated time, blocked wait4 as a bar', async () => {
    const { parseShadowFiles } = await import('../src/verify/index.js');
    const dir = fileURLToPath(new URL('./fixtures/shadow/vfork-exec-standard/', import.meta.url));
    const { readFileSync } = await import('node:fs');
    const log = parseShadowFiles(['raw.1000.strace', 'raw.1001.strace'].map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') })));
    const { page, errors } = await open(writeReport('shadow-vfork-exec', renderReport(log.events, { title: 'Shadow: raw/vfork-exec (standard mode)' })));
    expect(await page.locator('text.lane-label').allTextContents()).toEqual(['1000', '1001 true']);
    expect(await page.locator('rect.bar').count()).toBe(1);
    await page.locator('rect.bar').hover();
    const tip = await page.locator('#tooltip').textContent();
    expect(tip).toContain('= <blocked>');
    expect(tip).toContain('wait4 \u00b7 pid 1000 \u00b7 raw.1000.strace:6\u20137');
    await page.screenshot({ path: join(OUT, 'shadow-vfork-exec.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});

if (!haveBrowser) {
  it.skip(`HTML report in chromium (skipped: ${CHROMIUM} is missing; run tools/scripts/install-browser.sh)`, () => {});
}
