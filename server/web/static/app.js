// AutoML dashboard client. Plain JavaScript, no build step, no
// dependencies. Every request uses a URL relative to the page, so the
// service can be mounted under any prefix (/ml/, /tools/automl/, ...).
"use strict";

(function () {
  // A page served at ".../ml" (no trailing slash) would resolve relative
  // URLs against the parent; move to ".../ml/" first.
  var path = location.pathname;
  if (!/\/$/.test(path) && !/\.html?$/.test(path)) {
    location.replace(path + "/" + location.search + location.hash);
    return;
  }

  var TOKEN_KEY = "automl.token";
  var FINAL = { done: 1, failed: 1, cancelled: 1, interrupted: 1 };
  var EVENT_KINDS = ["phase", "trial_started", "trial_finished", "new_best", "state"];
  var METRICS = {
    classification: [
      ["accuracy", "Accuracy"], ["balanced_accuracy", "Balanced accuracy"], ["f1_macro", "F1 (macro)"],
      ["log_loss", "Log loss"]
    ],
    binary: [["f1", "F1"], ["roc_auc", "ROC AUC"]],
    regression: [["rmse", "RMSE"], ["mae", "MAE"], ["r2", "R²"]]
  };

  var state = {
    token: "",
    dataset: null,   // DatasetDetail of the current upload
    job: null,       // Job being shown
    model: null,     // ModelDetail being shown
    es: null,        // EventSource of the live job
    poll: 0,         // polling timer when SSE is not available
    tick: 0,         // 1 s timer that counts the time left down between events
    lastProgressAt: 0,
    points: [],      // [{t, v}] best score over time
    statusFetchAt: 0
  };
  try { state.token = localStorage.getItem(TOKEN_KEY) || ""; } catch (e) { /* storage disabled */ }

  // ---------- small helpers ----------
  function $(id) { return document.getElementById(id); }
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k) || attrs[k] == null || attrs[k] === false) continue;
        if (k === "class") el.className = attrs[k];
        else if (k === "text") el.textContent = attrs[k];
        else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), attrs[k]);
        else el.setAttribute(k, attrs[k] === true ? "" : attrs[k]);
      }
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c == null || c === false) continue;
      el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return el;
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }
  function setStatus(el, text, kind) {
    el.textContent = text || "";
    el.classList.toggle("error", kind === "error");
    el.classList.toggle("ok", kind === "ok");
  }
  function fmtNum(x) {
    if (x == null || typeof x !== "number" || !isFinite(x)) return "–";
    var a = Math.abs(x);
    if (a === 0) return "0";
    if (a < 0.001) return x.toExponential(2);
    return x.toLocaleString(undefined, { maximumFractionDigits: a >= 1000 ? 1 : a >= 100 ? 2 : 4 });
  }
  // fmtAxis labels a chart axis whose ticks are step apart: enough
  // decimals to tell the ticks apart, and M for millions.
  function fmtAxis(x, step) {
    if (!(step > 0)) step = Math.abs(x) || 1;
    if (Math.abs(x) >= 1e6 && step >= 1e4) {
      return (x / 1e6).toLocaleString(undefined, { maximumFractionDigits: Math.max(0, Math.ceil(-Math.log10(step / 1e6)) + 1) }) + "M";
    }
    return x.toLocaleString(undefined, { maximumFractionDigits: Math.max(0, Math.min(6, Math.ceil(-Math.log10(step)) + 1)) });
  }
  function fmtSecs(s) {
    if (s == null || !isFinite(s)) return "–";
    s = Math.max(0, Math.round(s));
    if (s < 60) return s + "s";
    var m = Math.floor(s / 60), r = s % 60;
    if (m < 60) return m + "m " + (r < 10 ? "0" : "") + r + "s";
    return Math.floor(m / 60) + "h " + (m % 60) + "m";
  }
  function fmtBytes(n) {
    if (!n) return "0 B";
    var u = ["B", "KB", "MB", "GB"], i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + " " + u[i];
  }
  function fmtWhen(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    if (isNaN(d)) return "";
    var secs = (Date.now() - d.getTime()) / 1000;
    if (secs < 60) return "just now";
    if (secs < 3600) return Math.floor(secs / 60) + " min ago";
    if (secs < 86400) return Math.floor(secs / 3600) + " h ago";
    return d.toLocaleDateString();
  }
  function taskLabel(t) {
    return { binary: "binary classification", multiclass: "multiclass classification", regression: "regression" }[t] || t || "";
  }
  function toast(msg) {
    var el = $("toast");
    el.textContent = msg;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { el.hidden = true; }, 7000);
  }
  // withToken adds the token as a query parameter, for the requests a
  // browser makes without our headers (EventSource, download links).
  function withToken(url) {
    if (!state.token) return url;
    return url + (url.indexOf("?") < 0 ? "?" : "&") + "access_token=" + encodeURIComponent(state.token);
  }

  // api calls a JSON endpoint by a relative path and returns the decoded
  // body; a non-2xx answer throws an Error carrying the server's code.
  function api(path, opts) {
    opts = opts || {};
    var headers = { Accept: "application/json" };
    if (state.token) headers.Authorization = "Bearer " + state.token;
    var body = opts.body;
    if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.json);
    }
    return fetch(path, { method: opts.method || (body ? "POST" : "GET"), headers: headers, body: body })
      .then(function (res) {
        return res.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { /* not JSON */ }
          if (!res.ok) {
            var detail = data && data.error ? data.error : { code: "http_" + res.status, message: res.statusText || "request failed" };
            var err = new Error(detail.message || detail.code);
            err.code = detail.code;
            err.status = res.status;
            if (res.status === 401) askForToken();
            throw err;
          }
          return data;
        });
      });
  }
  function describe(err) {
    if (!err) return "unknown error";
    if (err.status === 401) return "The service needs a token: set it with the Token button.";
    if (err instanceof TypeError) return "Cannot reach the service (" + err.message + ").";
    return err.message || String(err);
  }

  // ---------- token ----------
  function renderToken() {
    $("token-state").textContent = state.token ? "Token set" : "Token";
    $("token-input").value = state.token;
  }
  function askForToken() {
    $("token-panel").hidden = false;
    $("token-toggle").setAttribute("aria-expanded", "true");
    $("token-input").focus();
  }
  function initToken() {
    renderToken();
    $("token-toggle").addEventListener("click", function () {
      var panel = $("token-panel");
      panel.hidden = !panel.hidden;
      this.setAttribute("aria-expanded", String(!panel.hidden));
      if (!panel.hidden) $("token-input").focus();
    });
    $("token-panel").addEventListener("submit", function (e) {
      e.preventDefault();
      saveToken($("token-input").value.trim());
    });
    $("token-clear").addEventListener("click", function () { saveToken(""); });
    $("token-panel").addEventListener("keydown", function (e) {
      if (e.key !== "Escape") return;
      this.hidden = true;
      $("token-toggle").setAttribute("aria-expanded", "false");
      $("token-toggle").focus();
    });
  }
  function saveToken(t) {
    state.token = t;
    try { if (t) localStorage.setItem(TOKEN_KEY, t); else localStorage.removeItem(TOKEN_KEY); } catch (e) { /* ignore */ }
    renderToken();
    $("token-panel").hidden = true;
    $("token-toggle").setAttribute("aria-expanded", "false");
    $("token-toggle").focus();
    loadHistory();
    checkHealth();
  }

  // ---------- upload and profile ----------
  function initUpload() {
    var zone = $("upload-form"), input = $("file-input");
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("dragover"); });
    });
    ["dragleave", "dragend"].forEach(function (t) {
      zone.addEventListener(t, function (e) {
        if (t === "dragleave" && zone.contains(e.relatedTarget)) return;
        zone.classList.remove("dragover");
      });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("dragover");
      var f = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
      if (f) upload(f);
    });
    // Dropping a file anywhere else must not navigate away from the page.
    window.addEventListener("dragover", function (e) { e.preventDefault(); });
    window.addEventListener("drop", function (e) { e.preventDefault(); });
    input.addEventListener("change", function () { if (input.files[0]) upload(input.files[0]); });
    zone.addEventListener("submit", function (e) { e.preventDefault(); });
  }

  function upload(file) {
    var status = $("upload-status");
    setStatus(status, "Uploading and profiling " + file.name + " (" + fmtBytes(file.size) + ")…");
    var fd = new FormData();
    fd.append("file", file, file.name);
    api("analyze", { method: "POST", body: fd }).then(function (d) {
      setStatus(status, "Profiled " + (d.dataset.name || file.name) + ".", "ok");
      $("file-input").value = "";
      showDataset(d);
      loadHistory();
    }, function (err) {
      setStatus(status, "Upload failed: " + describe(err), "error");
    });
  }

  function showDataset(d) {
    state.dataset = d;
    // A finished run belongs to the previous table: clear it away. A live
    // one stays in view (and in the history) until it ends.
    if (!state.job || FINAL[state.job.state]) {
      stopWatching();
      state.job = null;
      state.model = null;
      $("progress").hidden = true;
      $("results").hidden = true;
      document.title = "AutoML: train a model on your table";
    }
    var p = d.profile || { columns: [] }, ds = d.dataset || {};
    var sec = $("profile");
    sec.hidden = false;
    $("profile-title").textContent = "Profile of " + (ds.name || "your dataset");
    var bits = [(p.rows != null ? p.rows : ds.rows).toLocaleString() + " rows", (p.cols != null ? p.cols : ds.cols) + " columns"];
    if (p.meta && p.meta.missing_ratio) bits.push((p.meta.missing_ratio * 100).toFixed(1) + "% cells missing");
    if (ds.size) bits.push(fmtBytes(ds.size));
    $("profile-summary").textContent = bits.join(" · ");

    var wl = clear($("profile-warnings"));
    (p.warnings || []).forEach(function (w) {
      wl.appendChild(h("li", null, h("strong", { text: w.code.replace(/_/g, " ") }), w.column ? " · " + w.column : "", ": " + w.message));
    });
    wl.hidden = !(p.warnings && p.warnings.length);

    var tb = clear($("columns-table").tBodies[0]);
    p.columns.forEach(function (c) {
      var summary = "";
      if (c.kind === "identifier") summary = "a different value on almost every row";
      else if (c.kind === "constant") summary = "the same value on every row";
      else if (c.mean != null) summary = fmtNum(c.min) + " to " + fmtNum(c.max) + ", mean " + fmtNum(c.mean);
      else if (c.top && c.top.length) summary = c.top.slice(0, 3).map(function (t) { return t.value + " (" + t.count + ")"; }).join(", ");
      var miss = c.missing ? c.missing.toLocaleString() + " (" + (c.missing_ratio * 100).toFixed(0) + "%)" : "0";
      tb.appendChild(h("tr", { "data-col": c.name },
        h("th", { scope: "row", text: c.name }),
        h("td", null, h("span", { class: "kind kind-" + c.kind, text: c.kind })),
        h("td", { class: "num" + (c.missing_ratio >= 0.5 ? " miss-bad" : ""), text: miss }),
        h("td", { class: "num opt", text: c.distinct != null ? c.distinct.toLocaleString() : "" }),
        h("td", { class: "summary", text: summary })));
    });

    var sel = clear($("target"));
    var suggested = ds.suggested_target || p.target || "";
    p.columns.forEach(function (c) {
      var bad = c.kind === "identifier" || c.kind === "constant" || c.kind === "text";
      sel.appendChild(h("option", { value: c.name, disabled: bad && c.name !== suggested },
        c.name + (c.name === suggested ? " (suggested)" : "") + (bad ? " – " + c.kind : "")));
    });
    sel.value = suggested;
    onTargetChange();
    setStatus($("run-status"), "");
    $("run-button").disabled = false;
    sec.scrollIntoView({ block: "start" });
    sel.focus({ preventScroll: true });
  }

  // taskFor guesses the task of a target column from its profile; the
  // server decides for real, this only picks which metrics to offer.
  function taskFor(name) {
    var d = state.dataset, p = d.profile || {};
    if (name === (d.dataset.suggested_target || p.target) && (d.dataset.suggested_task || p.task)) return d.dataset.suggested_task || p.task;
    var c = (p.columns || []).filter(function (c) { return c.name === name; })[0];
    if (!c) return "";
    if (c.kind === "numeric") return "regression";
    if (c.kind === "integer" && c.distinct > 20) return "regression";
    return c.distinct === 2 ? "binary" : "multiclass";
  }
  function onTargetChange() {
    var name = $("target").value, task = taskFor(name);
    $("target-hint").textContent = task ? "Looks like " + taskLabel(task) + "." : "";
    Array.prototype.forEach.call($("columns-table").tBodies[0].rows, function (r) {
      r.classList.toggle("target", r.getAttribute("data-col") === name);
    });
    var ms = clear($("metric"));
    var list = task === "regression" ? METRICS.regression : METRICS.classification.concat(task === "binary" ? METRICS.binary : []);
    ms.appendChild(h("option", { value: "" }, "Default (" + (task === "regression" ? "RMSE" : "accuracy") + ")"));
    list.forEach(function (m) { ms.appendChild(h("option", { value: m[0] }, m[1])); });
  }

  function initRunForm() {
    $("target").addEventListener("change", onTargetChange);
    $("run-form").addEventListener("submit", function (e) {
      e.preventDefault();
      if (!state.dataset) return;
      var btn = $("run-button"), status = $("run-status");
      btn.disabled = true;
      setStatus(status, "Starting…");
      var seed = parseInt($("seed").value, 10);
      api("pipeline/run", {
        json: {
          dataset_id: state.dataset.dataset_id,
          target: $("target").value,
          budget: $("budget").value,
          metric: $("metric").value,
          seed: isNaN(seed) || seed < 0 ? 0 : seed
        }
      }).then(function (r) {
        setStatus(status, "Run started.", "ok");
        btn.disabled = false;
        watchJob(r.job || { id: r.job_id, state: "queued", progress: {} });
        loadHistory();
      }, function (err) {
        btn.disabled = false;
        setStatus(status, "Could not start: " + describe(err), "error");
      });
    });
  }

  // ---------- live progress ----------
  function stopWatching() {
    if (state.es) { state.es.close(); state.es = null; }
    clearTimeout(state.poll); state.poll = 0;
    clearInterval(state.tick); state.tick = 0;
  }

  function watchJob(job) {
    stopWatching();
    state.job = job;
    state.model = null;
    state.points = [];
    state.statusFetchAt = 0;
    setQuery("job", job.id);
    $("progress").hidden = false;
    $("results").hidden = true;
    $("predict").hidden = true;
    $("progress-title").firstChild.nodeValue = "Training " + (job.target ? "“" + job.target + "” " : "");
    setStatus($("progress-status"), "");
    renderProgress(job.state, job.progress || {});
    drawChart();
    $("progress").scrollIntoView({ block: "start" });
    if (FINAL[job.state]) { finishJob(job.id); return; }
    state.tick = setInterval(tickClock, 1000);
    if (typeof EventSource === "function") streamJob(job.id);
    else pollJob(job.id);
  }

  function streamJob(id) {
    var es = new EventSource(withToken("pipeline/events/" + encodeURIComponent(id)));
    state.es = es;
    var onEvent = function (msg) {
      var ev;
      try { ev = JSON.parse(msg.data); } catch (e) { return; }
      if (!state.job || state.job.id !== id) return;
      onJobEvent(ev);
    };
    EVENT_KINDS.forEach(function (k) { es.addEventListener(k, onEvent); });
    es.onmessage = onEvent;
    es.onerror = function () {
      // The browser retries by itself (with Last-Event-ID) unless the
      // server refused the stream; then fall back to polling.
      if (es.readyState === EventSource.CLOSED && state.es === es) {
        state.es = null;
        pollJob(id);
      }
    };
  }

  function onJobEvent(ev) {
    var pr = ev.progress || {};
    if (pr.best_score != null) addPoint(pr.elapsed_seconds, pr.best_score);
    else if (ev.best != null) addPoint(pr.elapsed_seconds, ev.best);
    renderProgress(ev.state, pr);
    if (ev.kind === "trial_finished" || ev.kind === "new_best") refreshLiveBoard();
    if (FINAL[ev.state]) {
      if (state.es) { state.es.close(); state.es = null; }
      finishJob(state.job.id);
    }
  }

  function pollJob(id) {
    clearTimeout(state.poll);
    api("pipeline/status/" + encodeURIComponent(id)).then(function (job) {
      if (!state.job || state.job.id !== id) return;
      state.job = job;
      var pr = job.progress || {};
      if (pr.best_score != null) addPoint(pr.elapsed_seconds, pr.best_score);
      renderProgress(job.state, pr);
      if (job.leaderboard && job.leaderboard.rows && job.leaderboard.rows.length) showLiveBoard(job);
      if (FINAL[job.state]) finishJob(id, job);
      else state.poll = setTimeout(function () { pollJob(id); }, 1000);
    }, function (err) {
      setStatus($("progress-status"), "Lost the job: " + describe(err), "error");
      state.poll = setTimeout(function () { pollJob(id); }, 3000);
    });
  }

  // refreshLiveBoard fetches the leaderboard so far, at most every 2 s.
  function refreshLiveBoard() {
    var now = Date.now();
    if (now - state.statusFetchAt < 2000) return;
    state.statusFetchAt = now;
    var id = state.job.id;
    api("pipeline/status/" + encodeURIComponent(id)).then(function (job) {
      if (!state.job || state.job.id !== id || FINAL[state.job.state]) return;
      state.job = job;
      if (!FINAL[job.state]) showLiveBoard(job);
    }, function () { /* the stream carries on */ });
  }

  function renderProgress(st, pr) {
    st = st || "queued";
    if (state.job) state.job.state = st;
    state.lastProgress = pr;
    state.lastProgressAt = Date.now();
    var badge = $("job-badge");
    badge.textContent = st;
    badge.className = "badge " + st;
    $("stat-phase").textContent = pr.phase || (st === "queued" ? "waiting" : st);
    var trials = (pr.trials_done || 0) + "";
    if (pr.trials_failed) trials += " (" + pr.trials_failed + " failed)";
    $("stat-trials").textContent = trials;
    $("stat-best").textContent = pr.best_score != null ? fmtNum(pr.best_score) : "–";
    $("stat-best").title = pr.best_model || "";
    var metric = state.job && state.job.metric;
    var sub = [];
    if (metric) sub.push(metric + (state.job.greater ? " (higher is better)" : " (lower is better)"));
    if (pr.best_model) sub.push("best so far: " + pr.best_model);
    if (pr.budget_seconds) sub.push("budget " + fmtSecs(pr.budget_seconds));
    $("progress-sub").textContent = sub.join(" · ");
    updateClock(FINAL[st] ? 0 : pr.remaining_seconds, pr, st);
    $("cancel-button").hidden = !!FINAL[st];
    // The tab's title shows a live run's state, for when it is in the background.
    var what = state.job && state.job.target ? " “" + state.job.target + "”" : "";
    document.title = (st === "running" ? "Training" + what + (pr.best_score != null ? " · best " + fmtNum(pr.best_score) : "") :
      st === "queued" ? "Queued" + what : "Run " + st + what) + " · AutoML";
  }
  function updateClock(left, pr, st) {
    $("stat-left").textContent = st === "queued" ? "–" : fmtSecs(left);
    var pct = 0;
    if (FINAL[st]) pct = 100;
    else if (pr.budget_seconds) pct = Math.min(100, Math.max(0, 100 * (pr.budget_seconds - left) / pr.budget_seconds));
    var bar = $("time-bar");
    bar.setAttribute("aria-valuenow", String(Math.round(pct)));
    bar.firstElementChild.style.width = pct + "%";
  }
  function tickClock() {
    var pr = state.lastProgress, st = state.job && state.job.state;
    if (!pr || st !== "running" || !pr.budget_seconds) return;
    var left = Math.max(0, (pr.remaining_seconds || 0) - (Date.now() - state.lastProgressAt) / 1000);
    updateClock(left, pr, st);
  }

  function finishJob(id, job) {
    stopWatching();
    var got = job ? Promise.resolve(job) : api("pipeline/status/" + encodeURIComponent(id));
    got.then(function (job) {
      if (!state.job || state.job.id !== id) return;
      state.job = job;
      renderProgress(job.state, job.progress || {});
      (state.points.length ? Promise.resolve() : loadPointsFromEvents(job)).then(drawChart);
      loadHistory();
      if (job.state === "done" && job.model_id) {
        setStatus($("progress-status"), "Finished in " + fmtSecs((job.progress || {}).elapsed_seconds) + ".", "ok");
        return openModel(job.model_id, job);
      }
      if (job.leaderboard && job.leaderboard.rows && job.leaderboard.rows.length) showLiveBoard(job);
      setStatus($("progress-status"), "The run " + job.state + (job.message ? ": " + job.message : "."), job.state === "cancelled" ? "" : "error");
    }, function (err) {
      setStatus($("progress-status"), describe(err), "error");
    });
  }

  // loadPointsFromEvents rebuilds the chart of a finished job that the
  // page did not watch live, from the replayed event stream.
  function loadPointsFromEvents(job) {
    return new Promise(function (resolve) {
      if (typeof EventSource !== "function") return resolve();
      var es = new EventSource(withToken("pipeline/events/" + encodeURIComponent(job.id)));
      var done = function () { es.close(); clearTimeout(timer); resolve(); };
      var timer = setTimeout(done, 4000);
      var on = function (msg) {
        var ev;
        try { ev = JSON.parse(msg.data); } catch (e) { return; }
        var pr = ev.progress || {};
        if (pr.best_score != null) addPoint(pr.elapsed_seconds, pr.best_score);
        if (FINAL[ev.state]) done();
      };
      EVENT_KINDS.forEach(function (k) { es.addEventListener(k, on); });
      es.onmessage = on;
      es.onerror = done;
    });
  }

  function initCancel() {
    $("cancel-button").addEventListener("click", function () {
      if (!state.job) return;
      var id = state.job.id;
      setStatus($("progress-status"), "Cancelling…");
      api("pipeline/cancel/" + encodeURIComponent(id), { method: "POST" }).then(function () {
        if (!state.es) pollJob(id);
      }, function (err) { setStatus($("progress-status"), "Could not cancel: " + describe(err), "error"); });
    });
  }

  // ---------- chart ----------
  function addPoint(t, v) {
    if (v == null || !isFinite(v)) return;
    t = t || 0;
    var pts = state.points, last = pts[pts.length - 1];
    if (last && last.v === v) return;
    if (last && t < last.t) t = last.t;
    pts.push({ t: t, v: v });
    drawChart();
  }

  function drawChart() {
    var svg = $("best-chart");
    var W = Math.max(240, Math.round(svg.getBoundingClientRect().width || 600));
    var H = Math.round(svg.getBoundingClientRect().height || 180);
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    clear(svg);
    var NS = "http://www.w3.org/2000/svg";
    function s(tag, attrs, text) {
      var el = document.createElementNS(NS, tag);
      for (var k in attrs) el.setAttribute(k, attrs[k]);
      if (text != null) el.textContent = text;
      svg.appendChild(el);
      return el;
    }
    var pts = state.points;
    var padL = 56, padR = 14, padT = 14, padB = 24;
    var iw, ih = H - padT - padB;
    if (!pts.length) {
      s("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, "The best score appears here as trials finish");
      $("chart-caption").textContent = "Best score over time";
      return;
    }
    var tEnd = Math.max(pts[pts.length - 1].t, (state.lastProgress && state.lastProgress.elapsed_seconds) || 0, 1);
    // The y range covers the improvements after the first when the first
    // (often a weak baseline) is far off: it would flatten the rest. Its
    // point is then drawn clamped at the edge.
    var ranged = pts;
    if (pts.length >= 3) {
      var rest = pts.slice(1), rmin = Infinity, rmax = -Infinity;
      rest.forEach(function (p) { rmin = Math.min(rmin, p.v); rmax = Math.max(rmax, p.v); });
      var off = Math.max(pts[0].v - rmax, rmin - pts[0].v), spread = rmax - rmin;
      if (off > 3 * spread && spread > off / 20) ranged = rest;
    }
    var vmin = Infinity, vmax = -Infinity;
    ranged.forEach(function (p) { vmin = Math.min(vmin, p.v); vmax = Math.max(vmax, p.v); });
    if (vmax - vmin < 1e-9) { var pad = Math.abs(vmax) * 0.01 || 0.01; vmin -= pad; vmax += pad; }
    var span = vmax - vmin; vmin -= span * 0.08; vmax += span * 0.08;
    var labels = [0, 1, 2, 3].map(function (i) { return fmtAxis(vmin + (vmax - vmin) * i / 3, (vmax - vmin) / 3); });
    padL = 14 + 7 * Math.max.apply(null, labels.map(function (l) { return l.length; }));
    iw = W - padL - padR;
    function X(t) { return padL + iw * t / tEnd; }
    function Y(v) { return Math.min(padT + ih, Math.max(padT, padT + ih * (1 - (v - vmin) / (vmax - vmin)))); }
    for (var i = 0; i <= 3; i++) {
      var y = Y(vmin + (vmax - vmin) * i / 3);
      s("line", { class: "grid", x1: padL, x2: W - padR, y1: y, y2: y });
      s("text", { x: padL - 8, y: y + 4, "text-anchor": "end" }, labels[i]);
    }
    s("text", { x: padL, y: H - 6 }, "0s");
    s("text", { x: W - padR, y: H - 6, "text-anchor": "end" }, fmtSecs(tEnd));
    // Best-so-far is a step function: flat until the next improvement.
    var d = "M" + X(pts[0].t) + "," + Y(pts[0].v);
    for (var j = 1; j < pts.length; j++) d += " H" + X(pts[j].t) + " V" + Y(pts[j].v);
    d += " H" + X(tEnd);
    s("path", { class: "area", d: d + " V" + (padT + ih) + " H" + X(pts[0].t) + " Z" });
    s("path", { class: "line", d: d });
    pts.forEach(function (p) { s("circle", { class: "dot", cx: X(p.t), cy: Y(p.v), r: 3 }); });
    var lastP = pts[pts.length - 1];
    $("chart-caption").textContent = "Best " + ((state.job && state.job.metric) || "score") + " over time: " +
      fmtNum(lastP.v) + " after " + fmtSecs(lastP.t) + " (" + pts.length + " improvement" + (pts.length === 1 ? "" : "s") + ")";
  }

  // ---------- results ----------
  function showLiveBoard(job) {
    if (!job.leaderboard || !job.leaderboard.rows || !job.leaderboard.rows.length) return;
    $("results").hidden = false;
    $("results-title").textContent = "Leaderboard so far";
    $("results-sub").textContent = (job.leaderboard.rows.length) + " trials";
    $("download-link").hidden = true;
    renderLeaderboard(job.leaderboard);
    $("insights").hidden = true;
    var imp = clear($("importance"));
    imp.appendChild(h("p", { class: "muted", text: "Importances are computed when the run finishes." }));
    $("predict").hidden = true;
  }

  function openModel(id, job) {
    return api("models/" + encodeURIComponent(id)).then(function (m) {
      state.model = m;
      setQuery("model", id);
      showModel(m, job);
    }, function (err) { toast("Could not load the model: " + describe(err)); });
  }

  function showModel(m, job) {
    var mod = m.model || {};
    $("results").hidden = false;
    $("results-title").textContent = "Results: predict “" + mod.target + "”";
    var sub = [taskLabel(mod.task), "best " + mod.metric + " " + fmtNum(mod.score) + " (" + mod.best_model + ")"];
    if (m.duration_seconds) sub.push("trained in " + fmtSecs(m.duration_seconds));
    $("results-sub").textContent = sub.join(" · ");
    var dl = $("download-link");
    dl.hidden = false;
    dl.href = withToken("models/" + encodeURIComponent(mod.id) + "/download");
    dl.setAttribute("download", "model-" + mod.id + ".automl");
    dl.textContent = "Download model (" + fmtBytes(mod.size) + ")";
    renderLeaderboard(m.leaderboard || (job && job.leaderboard));
    renderImportance(m.importance || []);
    renderInsights(m);
    renderPredictForm(m);
    $("predict").hidden = false;
    if (!job) {
      $("progress").hidden = true;
      $("results").scrollIntoView({ block: "start" });
    }
  }

  function renderLeaderboard(lb) {
    var tb = clear($("leaderboard").tBodies[0]);
    if (!lb || !lb.rows || !lb.rows.length) {
      tb.appendChild(h("tr", null, h("td", { colspan: 6, class: "muted", text: "No trials yet." })));
      return;
    }
    var rows = lb.rows.slice(0, 50);
    rows.forEach(function (r, i) {
      var name = r.model;
      if (r.members && r.members.length) name += " of " + r.members.length;
      var ok = !r.status || r.status === "ok";
      tb.appendChild(h("tr", { class: r.selected ? "best" : null },
        h("td", { class: "num", text: String(i + 1) }),
        h("th", { scope: "row", title: r.note || (r.params ? JSON.stringify(r.params) : "") }, name, r.selected ? h("span", { class: "badge done", text: "used" }) : null),
        h("td", { class: "num", text: ok ? fmtNum(r.score) : "–" }),
        h("td", { class: "num opt", text: ok && r.std ? fmtNum(r.std) : "" }),
        h("td", { class: "num opt", text: r.fit_seconds != null ? r.fit_seconds.toFixed(2) : "" }),
        h("td", { class: "opt", text: r.status || "ok", title: r.error || "" })));
    });
    if (lb.rows.length > rows.length) {
      tb.appendChild(h("tr", null, h("td", { colspan: 6, class: "muted", text: "…and " + (lb.rows.length - rows.length) + " more" })));
    }
    var cap = $("leaderboard").querySelector("caption") || $("leaderboard").insertBefore(h("caption", { class: "muted" }), $("leaderboard").firstChild);
    cap.textContent = (lb.metric || "score") + ", out of fold, " + (lb.greater ? "higher" : "lower") + " is better";
  }

  function renderImportance(imp) {
    var box = clear($("importance"));
    if (!imp.length) {
      box.appendChild(h("p", { class: "muted", text: "No importances for this model." }));
      return;
    }
    var top = imp.slice(0, 15);
    var max = 0;
    top.forEach(function (c) { max = Math.max(max, c.mean); });
    top.forEach(function (c) {
      var w = max > 0 ? Math.max(0, c.mean) / max * 100 : 0;
      box.appendChild(h("div", { class: "hbar", role: "listitem", "aria-label": c.column + ": " + fmtNum(c.mean) },
        h("span", { class: "hbar-name", title: c.column, text: c.column }),
        h("span", { class: "hbar-track", "aria-hidden": "true" }, h("span", { class: "hbar-fill", style: "width:" + w.toFixed(1) + "%" })),
        h("span", { class: "hbar-val", "aria-hidden": "true", text: fmtNum(c.mean) })));
    });
    if (imp.length > top.length) box.appendChild(h("p", { class: "muted", text: (imp.length - top.length) + " more columns matter less." }));
    box.appendChild(h("p", { class: "hint", text: "Drop in the metric when a column is shuffled (out of fold)." }));
  }

  // renderInsights shows the plan and the plain-language insights of a
  // model, for services whose GET /models/{id} includes them.
  function renderInsights(m) {
    var card = $("insights"), facts = clear($("plan-facts")), prose = clear($("insights-text"));
    var plan = m.plan, any = false;
    function fact(k, v) {
      if (v == null || v === "") return;
      facts.appendChild(h("div", null, h("dt", { text: k }), h("dd", { text: String(v) })));
      any = true;
    }
    if (plan && typeof plan === "object") {
      fact("Planner", plan.planner);
      if (Array.isArray(plan.trials)) {
        var names = [];
        plan.trials.forEach(function (c) { if (c && c.model && names.indexOf(c.model) < 0) names.push(c.model); });
        fact("Planned trials", plan.trials.length + (names.length ? " (" + names.join(", ") + ")" : ""));
      }
      var v = plan.validation;
      if (v && v.folds) fact("Validation", v.folds + "-fold" + (v.repeats > 1 ? " × " + v.repeats : "") + (v.final_fit ? ", " + v.final_fit : ""));
      if (plan.ensemble && plan.ensemble.method) fact("Ensemble", plan.ensemble.method);
      if (plan.rationale) prose.appendChild(h("p", { text: plan.rationale }));
      (plan.notes || []).forEach(function (n) { prose.appendChild(h("p", { class: "muted", text: n })); });
    }
    if (typeof m.insights === "string" && m.insights.trim()) {
      m.insights.trim().split(/\n\s*\n/).forEach(function (para) { prose.appendChild(h("p", { text: para.trim() })); });
      any = true;
    }
    card.hidden = !any && !prose.firstChild;
  }

  function renderPredictForm(m) {
    var box = clear($("predict-fields"));
    var prof = {};
    ((m.profile && m.profile.columns) || []).forEach(function (c) { prof[c.name] = c; });
    (m.inputs || []).forEach(function (inp, i) {
      var id = "in-" + i, c = prof[inp.name] || {}, input;
      var numeric = inp.kind === "numeric" || inp.kind === "integer";
      if (inp.kind === "boolean") {
        input = h("select", { id: id, name: inp.name },
          h("option", { value: "" }, "(missing)"), h("option", { value: "true" }, "true"), h("option", { value: "false" }, "false"));
        if (inp.example != null) input.value = String(inp.example);
      } else if (numeric) {
        input = h("input", { id: id, name: inp.name, type: "number", step: "any", inputmode: "decimal" });
        if (typeof inp.example === "number") input.value = inp.kind === "integer" ? String(Math.round(inp.example)) : String(+inp.example.toPrecision(4));
      } else {
        var listId = null;
        if (c.top && c.top.length) {
          listId = "dl-" + i;
          box.appendChild(h.apply(null, ["datalist", { id: listId }].concat(c.top.map(function (t) { return h("option", { value: t.value }); }))));
        }
        input = h("input", { id: id, name: inp.name, type: "text", list: listId, autocomplete: "off" });
        if (inp.example != null) input.value = String(inp.example);
      }
      input.setAttribute("data-kind", inp.kind);
      box.appendChild(h("div", { class: "field" }, h("label", { for: id, title: inp.name + " (" + inp.kind + ")", text: inp.name }), input));
    });
    clear($("prediction"));
  }

  function initPredict() {
    $("predict-form").addEventListener("submit", function (e) {
      e.preventDefault();
      if (!state.model) return;
      var rec = {};
      Array.prototype.forEach.call($("predict-fields").querySelectorAll("input,select"), function (el) {
        var v = el.value.trim(), kind = el.getAttribute("data-kind");
        if (v === "") rec[el.name] = null;
        else if (kind === "numeric" || kind === "integer") rec[el.name] = Number(v);
        else if (kind === "boolean") rec[el.name] = v === "true";
        else rec[el.name] = v;
      });
      var out = clear($("prediction")), btn = $("predict-button");
      btn.disabled = true;
      out.appendChild(h("span", { class: "muted", text: "Predicting…" }));
      api("predict", { json: { model_id: state.model.model.id, records: [rec] } }).then(function (r) {
        btn.disabled = false;
        clear(out);
        var p = r.predictions[0];
        out.appendChild(h("span", { class: "muted", text: "Prediction " }));
        out.appendChild(h("span", { class: "value", text: typeof p === "number" ? fmtNum(p) : String(p) }));
        if (r.probabilities && r.classes) {
          var probs = r.classes.map(function (c, i) { return { c: c, p: r.probabilities[0][i] }; })
            .sort(function (a, b) { return b.p - a.p; });
          out.appendChild(h.apply(null, ["div", { class: "probs", "aria-label": "Class probabilities" }].concat(
            probs.slice(0, 6).map(function (x) { return h("span", { class: "prob", text: x.c + " " + (x.p * 100).toFixed(1) + "%" }); }))));
        }
      }, function (err) {
        btn.disabled = false;
        clear(out).appendChild(h("span", { class: "error", text: describe(err) }));
      });
    });
  }

  // ---------- history ----------
  function loadHistory() {
    api("pipeline/jobs").then(function (r) { renderJobs(r.jobs || []); }, function (err) {
      clear($("jobs-list")).appendChild(h("li", { class: "muted", text: describe(err) }));
    });
    api("models").then(function (r) { renderModels(r.models || []); }, function (err) {
      clear($("models-list")).appendChild(h("li", { class: "muted", text: describe(err) }));
    });
    api("datasets").then(function (r) { renderDatasets(r.datasets || []); }, function (err) {
      clear($("datasets-list")).appendChild(h("li", { class: "muted", text: describe(err) }));
    });
  }
  function renderDatasets(list) {
    var ul = clear($("datasets-list"));
    if (!list.length) { ul.appendChild(h("li", { class: "muted", text: "No datasets yet." })); return; }
    list.slice(0, 50).forEach(function (d) {
      ul.appendChild(h("li", null,
        h("span", { class: "grow" },
          h("button", { type: "button", class: "linkish title", onclick: function () { openDataset(d.id); } }, d.name || d.id),
          h("span", { class: "meta", text: [d.rows.toLocaleString() + " rows", d.cols + " columns", fmtBytes(d.size), fmtWhen(d.created_at)].join(" · ") }))));
    });
  }
  function openDataset(id) {
    api("datasets/" + encodeURIComponent(id)).then(function (d) {
      setStatus($("upload-status"), "");
      showDataset(d);
    }, function (err) { toast("Could not open the dataset: " + describe(err)); });
  }
  function renderJobs(jobs) {
    var ul = clear($("jobs-list"));
    if (!jobs.length) { ul.appendChild(h("li", { class: "muted", text: "No runs yet." })); return; }
    jobs.slice(0, 50).forEach(function (j) {
      var pr = j.progress || {};
      var meta = [fmtWhen(j.created_at), (pr.trials_done || 0) + " trials"];
      if (pr.best_score != null) meta.push((j.metric || "best") + " " + fmtNum(pr.best_score));
      ul.appendChild(h("li", null,
        h("span", { class: "grow" },
          h("button", { type: "button", class: "linkish title", onclick: function () { watchJob(j); } }, "Predict " + (j.target || "?")),
          h("span", { class: "meta", text: meta.join(" · "), title: meta.join(" · ") })),
        h("span", { class: "badge " + j.state, text: j.state })));
    });
  }
  function modelMeta(m) {
    return [m.metric + " " + fmtNum(m.score), taskLabel(m.task), fmtBytes(m.size), fmtWhen(m.created_at)].join(" · ");
  }
  function renderModels(models) {
    var ul = clear($("models-list"));
    if (!models.length) { ul.appendChild(h("li", { class: "muted", text: "No models yet." })); return; }
    models.slice(0, 50).forEach(function (m) {
      ul.appendChild(h("li", null,
        h("span", { class: "grow" },
          h("button", { type: "button", class: "linkish title", onclick: function () { openModel(m.id); } }, m.target + " · " + (m.best_model || "model")),
          h("span", { class: "meta", text: modelMeta(m), title: modelMeta(m) })),
        h("a", { class: "btn btn-ghost btn-sm", href: withToken("models/" + encodeURIComponent(m.id) + "/download"), download: "model-" + m.id + ".automl", "aria-label": "Download model " + m.id }, "Download")));
    });
  }

  // ---------- misc ----------
  function setQuery(k, v) {
    if (!history.replaceState) return;
    history.replaceState(null, "", "?" + k + "=" + encodeURIComponent(v) + location.hash);
  }
  function checkHealth() {
    api("ready").then(function (r) {
      $("health").textContent = "Service ready" + (r && r.version ? " · API v" + r.version : "");
    }, function (err) {
      $("health").textContent = err.status === 401 ? "Token needed" : "Service not ready: " + describe(err);
    });
  }
  function restoreFromURL() {
    var q = new URLSearchParams(location.search);
    if (q.get("job")) {
      api("pipeline/status/" + encodeURIComponent(q.get("job"))).then(watchJob, function () { /* gone */ });
    } else if (q.get("model")) {
      openModel(q.get("model"));
    }
  }

  // Redraw the chart at its new pixel size when its box changes.
  var lastChartWidth = 0;
  function onChartResize() {
    var w = Math.round($("best-chart").getBoundingClientRect().width);
    if (w && w !== lastChartWidth && !$("progress").hidden) { lastChartWidth = w; drawChart(); }
  }
  if (typeof ResizeObserver === "function") new ResizeObserver(onChartResize).observe($("best-chart"));
  else window.addEventListener("resize", onChartResize);
  $("refresh-history").addEventListener("click", loadHistory);

  initToken();
  initUpload();
  initRunForm();
  initCancel();
  initPredict();
  checkHealth();
  loadHistory();
  restoreFromURL();
})();
