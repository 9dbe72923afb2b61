// The report page's script, as text inlined into the page (no network). It reads the timeline
// JSON and draws only what is in view into one SVG, so zoom and pan stay fast on captures of
// thousands of events. All capture text is put in with textContent, never as markup.
// Plain ES2020 written for the browser; kept free of backticks and `${` so it can live here.

export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('timeline-data').textContent);
  var SVGNS = 'http://www.w3.org/2000/svg';
  var LANE_H = 34, AXIS_H = 28, LABEL_W = 190, PAD_R = 16;
  var svg = document.getElementById('timeline');
  var wrap = document.getElementById('timeline-wrap');
  var tip = document.getElementById('tooltip');
  var detail = document.getElementById('detail');
  var lanes = data.lanes, marks = data.marks, groups = data.groups;

  // Per lane: instant marks sorted by x0 (binary-searched), and bars (drawn when they overlap the view).
  var points = lanes.map(function () { return []; });
  var bars = lanes.map(function () { return []; });
  // A call that blocked gets both: its bar, and its mark at the start.
  marks.forEach(function (m, i) { points[m.lane].push(i); if (m.x1 > m.x0) bars[m.lane].push(i); });

  var span = Math.max(data.maxX - data.minX, 1e-9);
  var view = { x0: data.minX - span * 0.02, x1: data.maxX + span * 0.02 };
  var pinned = -1;

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  // The wrapper's width is read once per draw: reading it after each appended element would
  // force a layout per element (quadratic on large captures).
  var W = 0, K = 1;
  function measure() { W = Math.max(wrap.clientWidth, 320); K = (W - LABEL_W - PAD_R) / (view.x1 - view.x0); }
  function width() { return W; }
  function scale() { return K; }
  function px(x) { return LABEL_W + (x - view.x0) * K; }
  function laneY(l) { return AXIS_H + l * LANE_H + LANE_H / 2; }
  function fmtX(x) {
    if (data.unit === 'line') return 'line ' + Math.round(x);
    var a = Math.abs(x);
    if (a >= 1e6) return (x / 1e6).toFixed(3) + ' s';
    if (a >= 1e3) return (x / 1e3).toFixed(3) + ' ms';
    return x.toFixed(a < 10 ? 1 : 0) + ' \u00b5s';
  }
  function lowerBound(list, x) {
    var lo = 0, hi = list.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (marks[list[mid]].x0 < x) lo = mid + 1; else hi = mid; }
    return lo;
  }
  function important(m) { return m.kind !== 'call' || m.failed || m.divergence >= 0; }

  function markClass(m) {
    var c = 'mark k-' + m.kind;
    if (m.failed) c += ' failed';
    if (m.divergence >= 0) c += ' divergent';
    return c;
  }

  function drawMark(g, i, m) {
    var x = px(m.x0), y = laneY(m.lane), e;
    switch (m.kind) {
      case 'clone': e = el('path', { d: 'M' + x + ' ' + (y - 7) + 'l6 7l-6 7l-6 -7z' }, g); break;
      case 'exec': e = el('rect', { x: x - 3, y: y - 9, width: 6, height: 18, rx: 1 }, g); break;
      case 'signal': e = el('path', { d: 'M' + x + ' ' + (y - 8) + 'l7 12h-14z' }, g); break;
      case 'end': e = el('rect', { x: x - 5, y: y - 5, width: 10, height: 10 }, g); break;
      case 'exit-call': e = el('circle', { cx: x, cy: y, r: 5 }, g); break;
      case 'wait': e = el('circle', { cx: x, cy: y, r: 4 }, g); break;
      default: e = el('rect', { x: x - 1, y: y - 6, width: 2.5, height: 12 }, g);
    }
    e.setAttribute('class', markClass(m));
    e.setAttribute('data-i', i);
    if (m.divergence >= 0) el('circle', { cx: x, cy: y, r: 10, class: 'divergence-ring', 'data-i': i }, g);
  }

  function drawBar(g, i, m) {
    var a = Math.max(px(m.x0), LABEL_W - 4), b = Math.min(px(m.x1), width() + 4), y = laneY(m.lane);
    var cls = 'bar' + (m.vfork ? ' vfork-bar' : '') + (m.divergence >= 0 ? ' divergent' : '');
    el('rect', { x: a, y: y - 5, width: Math.max(b - a, 2), height: 10, rx: 3, class: cls, 'data-i': i }, g);
    // Say what the hatched bar is where there is room for it.
    if (m.vfork && b - a > 290) el('text', { x: a + 4, y: y - 8, class: 'bar-label' }, g).textContent = 'parent suspended until the child execs or exits';
    else if (m.vfork && b - a > 100) el('text', { x: a + 4, y: y - 8, class: 'bar-label' }, g).textContent = 'vfork: suspended';
  }

  function drawArrow(g, a) {
    var x0 = px(a.fromX), y0 = laneY(a.fromLane), x1 = px(a.toX), y1 = laneY(a.toLane);
    var w = width();
    if ((x0 < LABEL_W && x1 < LABEL_W) || (x0 > w && x1 > w)) return;
    var dy = (y1 - y0) / 2;
    el('path', { d: 'M' + x0 + ' ' + y0 + 'C' + x0 + ' ' + (y0 + dy) + ' ' + x1 + ' ' + (y1 - dy) + ' ' + x1 + ' ' + y1,
      class: 'arrow a-' + a.kind, 'marker-end': 'url(#head-' + a.kind + ')' }, g);
  }

  function niceStep(raw) {
    var p = Math.pow(10, Math.floor(Math.log10(raw))), n = raw / p;
    return (n < 1.5 ? 1 : n < 3.5 ? 2 : n < 7.5 ? 5 : 10) * p;
  }

  function draw() {
    measure();
    var w = W, h = AXIS_H + lanes.length * LANE_H + 6;
    svg.setAttribute('width', w);
    svg.setAttribute('height', h);
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    var old = svg.querySelector('g.scene');
    if (old) svg.removeChild(old);
    var scene = el('g', { class: 'scene' }, svg);
    var back = el('g', { class: 'lanes' }, scene);
    lanes.forEach(function (l, i) {
      el('rect', { x: 0, y: AXIS_H + i * LANE_H, width: w, height: LANE_H, class: 'lane ' + (l.group % 2 ? 'odd' : 'even'), 'data-lane': i }, back);
      el('line', { x1: LABEL_W, x2: w, y1: laneY(i), y2: laneY(i), class: 'lane-axis' }, back);
    });
    // Axis ticks.
    var axis = el('g', { class: 'axis' }, scene);
    var step = data.unit === 'line' ? Math.max(1, niceStep((view.x1 - view.x0) / 8)) : niceStep((view.x1 - view.x0) / 8);
    for (var t = Math.ceil(view.x0 / step) * step; t <= view.x1; t += step) {
      var x = px(t);
      el('line', { x1: x, x2: x, y1: AXIS_H - 6, y2: h, class: 'tick' }, axis);
      var label = el('text', { x: x + 3, y: AXIS_H - 10, class: 'tick-label' }, axis);
      label.textContent = fmtX(t);
    }
    var barG = el('g', { class: 'bars' }, scene);
    var arrowG = el('g', { class: 'arrows' }, scene);
    var markG = el('g', { class: 'marks' }, scene);
    var drawn = 0;
    for (var l = 0; l < lanes.length; l++) {
      bars[l].forEach(function (i) { var m = marks[i]; if (m.x1 >= view.x0 && m.x0 <= view.x1) { drawBar(barG, i, m); drawn++; } });
      var list = points[l], lastPx = -1e9, plain = '', y = laneY(l);
      for (var j = lowerBound(list, view.x0); j < list.length; j++) {
        var i = list[j], m = marks[i];
        if (m.x0 > view.x1) break;
        if (important(m)) { drawMark(markG, i, m); drawn++; continue; }
        // Plain calls: one tick per pixel column, all of a lane's ticks in one path (found for
        // hover by position, not by element), so a dense lane costs one element.
        var p = Math.round(px(m.x0));
        if (p === lastPx) continue;
        lastPx = p;
        plain += 'M' + p + ' ' + (y - 6) + 'v12';
      }
      if (plain) { el('path', { d: plain, class: 'ticks', 'data-lane': l }, markG); drawn++; }
    }
    data.arrows.forEach(function (a) { drawArrow(arrowG, a); });
    // Labels last, on an opaque column, so that panned marks slide under them.
    var labels = el('g', { class: 'labels' }, scene);
    el('rect', { x: 0, y: 0, width: LABEL_W - 6, height: h, class: 'label-bg' }, labels);
    lanes.forEach(function (ln, i) {
      var gr = groups[ln.group];
      var lg = el('g', {}, labels);
      var title = el('title', {}, lg);
      var text = el('text', { x: 8 + (ln.thread ? gr.depth * 12 + 14 : gr.depth * 12), y: laneY(i) + 4, class: 'lane-label' + (ln.thread ? ' thread' : '') }, lg);
      text.textContent = ln.thread ? ln.label : gr.label;
      title.textContent = ln.thread ? 'thread ' + ln.tid + ' of process ' + gr.label : 'process ' + gr.label;
    });
    document.getElementById('view-range').textContent = fmtX(view.x0) + ' \u2013 ' + fmtX(view.x1) + ' (' + drawn + ' drawn)';
  }

  var frame = 0;
  function redraw() { if (!frame) frame = requestAnimationFrame(function () { frame = 0; draw(); }); }

  function zoomAt(factor, atPx) {
    measure();
    var at = view.x0 + (atPx - LABEL_W) / scale();
    var minSpan = data.unit === 'line' ? 4 : 0.5;
    var nspan = Math.max((view.x1 - view.x0) * factor, minSpan);
    var r = (at - view.x0) / (view.x1 - view.x0);
    view.x0 = at - nspan * r;
    view.x1 = view.x0 + nspan;
    redraw();
  }
  function pan(dpx) { measure(); var d = dpx / K; view.x0 -= d; view.x1 -= d; redraw(); }
  function fit() { view.x0 = data.minX - span * 0.02; view.x1 = data.maxX + span * 0.02; redraw(); }
  function focus(i) {
    var m = marks[i], half = Math.max((m.x1 - m.x0) * 0.8, span / 40, data.unit === 'line' ? 10 : 5);
    view.x0 = (m.x0 + m.x1) / 2 - half; view.x1 = (m.x0 + m.x1) / 2 + half;
    pin(i);
    redraw();
  }

  svg.addEventListener('wheel', function (e) {
    e.preventDefault();
    var r = svg.getBoundingClientRect();
    if (e.shiftKey) pan(-e.deltaY); else zoomAt(Math.pow(1.0015, e.deltaY), e.clientX - r.left);
  }, { passive: false });
  var drag = null;
  svg.addEventListener('pointerdown', function (e) { drag = { x: e.clientX, moved: false }; });
  window.addEventListener('pointermove', function (e) {
    if (!drag) return;
    var d = e.clientX - drag.x;
    if (Math.abs(d) > 2) { drag.moved = true; drag.x = e.clientX; pan(d); }
  });
  window.addEventListener('pointerup', function () { setTimeout(function () { drag = null; }, 0); });

  function describe(i) {
    var m = marks[i], ln = lanes[m.lane];
    var where = (m.file ? m.file.slice(m.file.lastIndexOf('/') + 1) + ':' : m.line === m.endLine ? 'line ' : 'lines ') + (m.line === m.endLine ? m.line : m.line + '\u2013' + m.endLine);
    return { head: m.name + ' \u00b7 ' + (ln.tid === null ? 'no pid' : (ln.thread ? 'thread ' : 'pid ') + ln.tid) + ' \u00b7 ' + where + ' \u00b7 ' + fmtX(m.x0) + (m.x1 > m.x0 ? ' \u2192 ' + fmtX(m.x1) : ''), text: m.text };
  }
  function fill(box, i) {
    var d = describe(i), m = marks[i];
    box.textContent = '';
    var h = document.createElement('div'); h.className = 'head'; h.textContent = d.head; box.appendChild(h);
    var pre = document.createElement('pre'); pre.className = 'line'; pre.textContent = d.text; box.appendChild(pre);
    if (m.divergence >= 0) {
      var v = data.divergences[m.divergence];
      var p = document.createElement('div'); p.className = 'div-note';
      p.textContent = 'Divergence (' + v.rule + '): the kernel did ' + v.expected + '; the emulation did ' + v.emulated;
      box.appendChild(p);
    }
  }
  function pin(i) { pinned = i; fill(detail, i); detail.hidden = false; }

  // The mark under the pointer: its element, or else the nearest mark of that lane within 5 px.
  function markAt(e) {
    var t = e.target, i = t && t.getAttribute ? t.getAttribute('data-i') : null;
    if (i !== null) return +i;
    var r = svg.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
    var l = Math.floor((y - AXIS_H) / LANE_H);
    if (l < 0 || l >= lanes.length || x < LABEL_W) return -1;
    var list = points[l], at = view.x0 + (x - LABEL_W) / K, k = lowerBound(list, at), best = -1, bestD = 5;
    for (var j = Math.max(0, k - 2); j < Math.min(list.length, k + 2); j++) {
      var d = Math.abs(px(marks[list[j]].x0) - x);
      if (d <= bestD) { bestD = d; best = list[j]; }
    }
    return best;
  }

  svg.addEventListener('mousemove', function (e) {
    var i = markAt(e);
    if (i < 0 || drag && drag.moved) { tip.hidden = true; return; }
    fill(tip, i);
    tip.hidden = false;
    // Fixed to the window, flipped above the pointer near the bottom edge, never clipped.
    var left = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    var top = e.clientY + 18;
    if (top + tip.offsetHeight > window.innerHeight - 4) top = Math.max(4, e.clientY - tip.offsetHeight - 12);
    tip.style.left = Math.max(left, 4) + 'px';
    tip.style.top = top + 'px';
  });
  svg.addEventListener('mouseleave', function () { tip.hidden = true; });
  svg.addEventListener('click', function (e) {
    if (drag && drag.moved) return;
    var i = markAt(e);
    if (i >= 0) pin(i);
  });

  document.getElementById('zoom-in').onclick = function () { zoomAt(0.5, LABEL_W + (width() - LABEL_W) / 2); };
  document.getElementById('zoom-out').onclick = function () { zoomAt(2, LABEL_W + (width() - LABEL_W) / 2); };
  document.getElementById('zoom-fit').onclick = fit;
  window.addEventListener('keydown', function (e) {
    if (e.key === '+' || e.key === '=') zoomAt(0.5, LABEL_W + (width() - LABEL_W) / 2);
    else if (e.key === '-') zoomAt(2, LABEL_W + (width() - LABEL_W) / 2);
    else if (e.key === '0') fit();
    else if (e.key === 'ArrowLeft') pan(80);
    else if (e.key === 'ArrowRight') pan(-80);
  });
  window.addEventListener('resize', redraw);

  // Divergence list: a row per divergence; rows placed on a lane focus their mark.
  var markOfDiv = {};
  marks.forEach(function (m, i) { if (m.divergence >= 0 && !(m.divergence in markOfDiv)) markOfDiv[m.divergence] = i; });
  var tbody = document.getElementById('divergence-rows');
  if (tbody) {
    data.divergences.forEach(function (v, k) {
      var tr = document.createElement('tr');
      [v.line, v.pid === null ? '' : v.pid, v.syscall, v.expected, v.emulated, v.rule].forEach(function (c) {
        var td = document.createElement('td'); td.textContent = String(c); tr.appendChild(td);
      });
      var at = markOfDiv[k];
      if (at !== undefined) { tr.className = 'clickable'; tr.onclick = function () { focus(at); }; }
      else tr.title = 'line ' + v.line + ' is no event of this capture';
      tbody.appendChild(tr);
    });
  }
  window.forkscopeReport = { zoom: zoomAt, pan: pan, fit: fit, focus: focus, view: view };
  draw();
})();
`;
