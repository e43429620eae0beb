/* Staff dashboard of the peer exchange. Plain JS, no framework, no external requests. Learner text goes in
 * only as text nodes; every string comes translated from the server (staff_ui.STAFF_STRINGS). */
window.MlcourseStaffDashboard = function (runtime, root) {
  "use strict";
  var box = root && root.querySelector(".mlc-staff");
  if (!box) { return; }
  var boot = JSON.parse(box.querySelector("script[type='application/json']").textContent);
  var T = boot.strings, uid = boot.uid, lang = boot.lang;
  var q = {waiting_page: 1, exchanges_page: 1, page_size: boot.page_size, status: "all", country: ""};
  var data, busy = false, picked = {}, names = {}, pending = null, planSame = false;
  var live = $(".mlc-s-live"), errBox = $(".mlc-s-error"), dlg = $("dialog");

  function $(sel, scope) { return (scope || box).querySelector(sel); }
  // mk(tag, attributes or a class name, children: text, a node or a list of them)
  function mk(tag, attrs, kids, svg) {
    var n = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
    attrs = typeof attrs === "string" ? {"class": attrs} : attrs || {};
    Object.keys(attrs).forEach(function (k) { if (attrs[k] != null) { n.setAttribute(k, attrs[k]); } });
    return add(n, kids);
  }
  function add(n, kids) {
    [].concat(kids == null ? [] : kids).forEach(function (k) {
      if (k || k === 0) { n.appendChild(typeof k === "object" ? k : document.createTextNode(k)); }
    });
    return n;
  }
  function s(tag, attrs, kids) { return mk(tag, attrs, kids, true); }
  function clear(sel) { var n = $(sel); n.textContent = ""; return n; }
  function fmt(str, p) { return str.replace(/%\((\w+)\)s/g, function (m, k) { return p[k] == null ? "?" : p[k]; }); }
  function tr(prefix, key) { return T[prefix + key] || key; }
  function announce(msg) { live.textContent = ""; setTimeout(function () { live.textContent = msg; }, 50); }
  // The alert box moves next to the control that failed (a fixed page header may hide the top of the page).
  function showError(msg, at) {
    var spot = at && (at.closest(".mlc-s-box, .mlc-s-bar, td") || at);
    if (spot) { spot.after(errBox); } else if (!box.contains(errBox)) { live.after(errBox); }
    errBox.textContent = msg || ""; errBox.hidden = !msg;
  }
  function num(x, d) {
    return x == null ? T.not_measured : x.toLocaleString(lang, {minimumFractionDigits: d, maximumFractionDigits: d});
  }
  function sr(text) { return mk("span", "mlc-sr", " " + text); }
  function small(label, attrs) {
    return mk("button", Object.assign({type: "button", "class": "mlc-button mlc-secondary mlc-s-small"}, attrs), label);
  }
  function notice(wrap, text) { wrap.appendChild(mk("p", "mlc-notice", text)); }
  function name(m) { return m.name || m.learner_id || "#" + m.id; }
  function who(m) { return name(m) + " (" + m.country_name + ")"; }
  function reasons(list) { return list.map(function (r) { return T.reasons[r] || r; }).join("; "); }

  function post(handler, payload) {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return fetch(runtime.handlerUrl(root, handler), {
      method: "POST", credentials: "same-origin", body: JSON.stringify(payload),
      headers: {"Content-Type": "application/json", "X-CSRFToken": m ? decodeURIComponent(m[1]) : "",
        "X-Requested-With": "XMLHttpRequest"}
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (d) {
        if (resp.ok) { return d; }
        var e = new Error(d.error || T.network_error);
        e.code = d.code; e.details = d.details || {};
        throw e;
      });
    }, function () { throw new Error(T.network_error); });
  }

  /* Load the overview and draw it. Focus left on a redrawn control goes to its successor (same data-key), else
   * to the heading of the section the action came from. */
  function load(key, fallback) {
    return post("staff_overview", q).then(function (d) {
      data = d; render();
      var a = document.activeElement;
      if (a && a !== document.body && !(box.contains(a) && (a.disabled || a.closest("[hidden]")))) { return; }
      a = key && $("[data-key='" + key + "']") || fallback;
      if (a) { a.focus(); }
    }).catch(function (err) { showError(err.message); });
  }

  /* One action at a time: the button shows it is busy, the result is announced, the overview reloaded. `ok` is
   * the message or makes it from the answer; `fail` may handle an error itself (answering true). */
  function act(btn, handler, payload, ok, fail) {
    if (busy) { return; }
    busy = true; showError("");
    btn.setAttribute("aria-disabled", "true");
    announce(T.working);
    var part = btn.closest(".mlc-s-part");
    post(handler, payload).then(function (res) {
      var msg = ok.call ? ok(res) : ok;
      return load(btn.getAttribute("data-key"), part && $("h3", part)).then(function () {
        announce(msg || T.updated);
      });
    }).catch(function (err) {
      if (!(fail && fail(err))) { showError(err.message, btn); announce(err.message); }
    }).then(function () { busy = false; btn.removeAttribute("aria-disabled"); });
  }

  /* ---- drawing ---------------------------------------------------------------------------------------- */
  function render() {
    box.querySelectorAll("[data-count]").forEach(function (n) {
      var k = n.getAttribute("data-count"), v = data.counts[k] || 0;
      $("dd", n).textContent = v.toLocaleString(lang);
      n.classList.toggle("is-alert", /stalled|past/.test(k) && v > 0);
    });
    listing("waiting", data.waiting, [T.h_name, T.h_country, T.h_org, T.h_hours, T.h_first, T.h_why], waitingRow);
    listing("exchanges", data.exchanges, [T.h_exchange, T.h_members, T.h_reasons, T.h_reviews, T.h_recip, T.h_last,
      T.h_actions], exchangeRow);
    showPicked();
    renderCountries();
    renderMatrix(data.matrix);
    renderRecip(data.reciprocity, data.flows);
    renderRatings(data.ratings);
    add(clear("datalist"), Object.keys(names).map(function (id) {
      return mk("option", {value: id, label: names[id]});
    }));
  }

  // A real table. Under 40rem the CSS shows each row as a card: explicit roles keep the table semantics.
  function table(caption, heads, rows, cls) {
    var row = function (cells, th) {
      return mk("tr", {role: "row"}, cells.map(function (c, i) {
        return th ? mk("th", {scope: "col", role: "columnheader"}, c) : i ? mk("td", {role: "cell",
          "data-label": cls === "mlc-s-stack" ? heads[i] : null}, c) : mk("th", {scope: "row", role: "rowheader"}, c);
      }));
    };
    return mk("table", {role: "table", "class": cls}, [mk("caption", 0, caption), mk("thead", {role: "rowgroup"},
      row(heads, 1)), mk("tbody", {role: "rowgroup"}, rows.map(function (r) { return row(r); }))]);
  }

  // One page of the waiting list or of the exchanges: the total, the table (or a notice) and the pager.
  function listing(kind, page, heads, row) {
    var wrap = clear(".mlc-s-" + kind), g = $("[data-pager='" + kind + "']");
    $(".mlc-s-total", wrap.parentNode).textContent = fmt(T[kind + "_total"], {count: page.total});
    if (!page.rows.length) { notice(wrap, T[kind + "_empty"]); } else {
      wrap.appendChild(table(T[kind + "_caption"], heads, page.rows.map(row), "mlc-s-stack"));
    }
    g.hidden = page.pages < 2;
    q[kind + "_page"] = page.page;
    $("span", g).textContent = fmt(T.page, page);
    g.querySelectorAll("button").forEach(function (b) {
      var to = page.page + +b.getAttribute("data-step");
      b.disabled = to < 1 || to > page.pages;
    });
  }

  function waitingRow(r) {
    var cb = mk("input", {type: "checkbox", "data-pick": r.id, "data-key": "w" + r.id});
    cb.checked = !!picked[r.id];
    names[r.id] = who(r);
    return [mk("label", "mlc-s-pick", [cb, mk("span", {dir: "auto"}, name(r))]), r.country_name,
      T.org_types[r.organisation_type] || r.organisation_type, num(r.hours, 1), r.first_in_line ? T.yes : T.no,
      tr("why_", r.why)];
  }

  function showPicked() { $(".mlc-s-picked").textContent = fmt(T.selected, {count: Object.keys(picked).length}); }

  function exchangeRow(e) {
    var by = {};
    var members = mk("ul", "mlc-s-list", e.members.map(function (m) {
      by[m.id] = name(m);
      names[m.id] = who(m);
      return mk("li", 0, [mk("span", 0, [mk("bdi", 0, name(m)), " (" + m.country_name + ")"]), mk("small", 0,
        tr("step_", m.step) + " · " + fmt(T.given_received, {given: m.reviews_given, received: m.reviews_received}))]);
    }));
    var reviews = e.reviews.length ? mk("ul", "mlc-s-list", e.reviews.map(function (r) {
      return mk("li", r.hidden ? "is-hidden" : null, [fmt(T.review_line, {from: by[r.reviewer], to: by[r.reviewee]}) +
        " · " + (r.helpfulness ? fmt(T.rated, {value: r.helpfulness}) : T.not_rated),
        r.hidden && mk("strong", "mlc-s-tag", T.hidden), small([r.hidden ? T.unhide : T.hide, sr(fmt(T.review_n, r))],
          {"data-review": r.id, "data-hidden": r.hidden || null, "data-key": "r" + r.id})]);
    })) : T.no_reviews;
    return [["#" + e.id + " ", mk("span", "mlc-s-st is-" + e.status, tr("st_", e.status))], members,
      reasons(e.reasons), reviews, num(e.reciprocity.index, 2),
      new Date(e.last_activity).toLocaleString(lang, {dateStyle: "medium", timeStyle: "short"}),
      e.status === "closed" ? "" : small([T.dissolve, sr(fmt(T.exchange_n, e))], {"data-dissolve": e.id,
        "data-key": "x" + e.id})];
  }

  // The country filter: countries of the matrix and of the waiting pool (named by the browser when not on a page).
  function renderCountries() {
    var sel = $("[data-filter='country']"), known = {};
    data.matrix.countries.forEach(function (c) { known[c.code] = c.name; });
    data.waiting.rows.forEach(function (r) { known[r.country] = r.country_name; });
    Object.keys(data.waiting.by_country || {}).concat(q.country || []).forEach(function (c) {
      try { known[c] = known[c] || new Intl.DisplayNames([lang], {type: "region"}).of(c); } catch (e) { known[c] = c; }
    });
    while (sel.length > 1) { sel.remove(1); }
    Object.keys(known).filter(Boolean).sort(function (a, b) { return known[a].localeCompare(known[b], lang); })
      .forEach(function (c) { sel.add(new Option(known[c], c)); });
    sel.value = q.country;
  }

  // An SVG chart with an accessible name (<title>) and description (<desc>).
  function chart(cls, w, h, title, desc) {
    return s("svg", {role: "img", width: w, height: h, viewBox: "0 0 " + w + " " + h, "class": cls,
      "aria-labelledby": uid + cls + "-t " + uid + cls + "-d"},
      [s("title", {id: uid + cls + "-t"}, title), s("desc", {id: uid + cls + "-d"}, desc)]);
  }

  // Heat map, reviewer country (rows) -> reviewed country (columns): four shades and "none", a legend in words,
  // and the same numbers in a table.
  function renderMatrix(m) {
    var wrap = clear(".mlc-s-matrix"), cs = m.countries, val = {}, max = 1, C = 44, L = 40;
    var size = L + cs.length * C + 2;
    if (!cs.length) { return notice(wrap, T.matrix_empty); }
    m.cells.forEach(function (c) { val[c.from + c.to] = c.reviews; max = Math.max(max, c.reviews); });
    var svg = chart("mlc-s-heat", size, size, T.matrix_title, T.matrix_desc);
    cs.forEach(function (a, i) {
      var y = L + i * C;
      add(svg, [s("text", {x: L - 6, y: y + C / 2, "class": "is-end"}, a.code),
        s("text", {x: y + C / 2, y: L - 14}, a.code)]);
      cs.forEach(function (b, j) {
        var v = val[a.code + b.code] || 0, x = L + j * C;
        svg.appendChild(s("g", "mlc-s-l" + (v && Math.ceil(v * 4 / max)), [
          s("title", 0, fmt(T.cell_title, {from: a.name, to: b.name, count: v})),
          s("rect", {x: x + 1, y: y + 1, width: C - 2, height: C - 2, rx: 3}),
          s("text", {x: x + C / 2, y: y + C / 2}, v)]));
      });
    });
    var legend = mk("p", "mlc-s-legend", T.legend);
    [0, 1, 2, 3, 4].forEach(function (k) {  // shade k holds the counts v with ceil(4v / max) = k
      var lo = k && Math.floor((k - 1) * max / 4) + 1, hi = Math.floor(k * max / 4);
      if (lo <= hi) { legend.appendChild(mk("span", 0, [mk("i", "mlc-s-l" + k), lo === hi ? lo : lo + "–" + hi])); }
    });
    add(wrap, [mk("figure", "mlc-s-fig", [mk("div", "mlc-s-scroll", svg), mk("figcaption", 0, legend)]),
      mk("div", {"class": "mlc-s-scroll", tabindex: 0, role: "region", "aria-label": T.matrix_caption},
        table(T.matrix_caption, [T.m_corner].concat(cs.map(function (c) {
          return [mk("span", {"aria-hidden": "true"}, c.code), sr(c.name)];
        })), cs.map(function (a) {
          return [a.name].concat(cs.map(function (b) { return val[a.code + b.code] || 0; }));
        }), "mlc-s-grid"))]);
  }

  function renderRecip(r, f) {
    var both = r.both_directions == null ? T.not_measured : r.both_directions.toLocaleString(lang, {style: "percent"});
    add(clear(".mlc-s-recip"), [
      [T.r_index, num(r.index, 2), T.r_index_help + " " + fmt(T.r_measured, {count: r.exchanges_measured})],
      [T.r_both, both, T.r_both_help], [T.r_balance, num(r.balance, 2), T.r_balance_help],
      [T.r_pairs, f.country_pairs ? fmt(T.r_pairs_value, {two_way: f.two_way, pairs: f.country_pairs}) : T.not_measured,
        T.r_pairs_help]
    ].map(function (x) {
      return mk("div", 0, [mk("dt", 0, x[0]), mk("dd", 0, [mk("strong", 0, x[1]), " ", mk("span", 0, x[2])])]);
    }));
  }

  function renderRatings(r) {
    var max = 1, list = [], i, v, h, x, svg;
    for (i = 1; i <= 5; i++) { max = Math.max(max, r[i]); list.push(fmt(T.rating_n, {score: i, count: r[i]})); }
    svg = chart("mlc-s-bars", 240, 132, T.ratings_title, fmt(T.ratings_desc, {list: list.join(", ")}));
    for (i = 1; i <= 5; i++) {
      v = r[i]; h = Math.round(v / max * 90); x = i * 48 - 40;
      add(svg, [s("rect", {x: x, y: 110 - h, width: 32, height: Math.max(h, 1)}), s("text", {x: x + 16, y: 100 - h}, v),
        s("text", {x: x + 16, y: 122, "class": "mlc-s-axis"}, i)]);
    }
    add(clear(".mlc-s-ratings"), [svg, mk("p", "mlc-help", list.join(" · "))]);
  }

  // Export links: the workbench's handler URL already carries "?student=...&".
  function links() {
    var base = runtime.handlerUrl(root, "export_csv"), cb = $("[data-act='usernames']");
    base += base.indexOf("?") < 0 ? "?" : /[?&]$/.test(base) ? "" : "&";
    box.querySelectorAll("[data-table]").forEach(function (a) {
      a.href = base + "table=" + a.getAttribute("data-table") + (cb && cb.checked ? "&usernames=1" : "");
    });
  }

  /* ---- actions ---------------------------------------------------------------------------------------- */
  function pair(btn, confirm) {
    var ids = Object.keys(picked).map(Number), warn = $(".mlc-s-warn");
    if (ids.length < 2 || ids.length > 3) { showError(T.pick_2_3, btn); return announce(T.pick_2_3); }
    act(btn, "staff_pair", {participants: ids, confirm: confirm}, function () {
      picked = {}; warn.hidden = true; return T.paired;
    }, function (err) {
      if (err.code !== "confirm_needed") { return false; }
      var text = T.confirm_needed + " " + (err.details.warnings || []).map(function (w) { return tr("w_", w); })
        .join("; ") + ".";
      $("p", warn).textContent = text;
      warn.hidden = false; $(".mlc-s-plan").hidden = true;
      $("[data-act='pair-anyway']").focus();
      announce(text);
      return true;
    });
  }

  function showPlan(res) {
    var p = $(".mlc-s-plan"), n = res.groups.length, text = $("p", p);
    planSame = !!res.include_same_country;  // "Confirm" carries out the plan shown
    $(".mlc-s-warn").hidden = true; p.hidden = false;
    text.textContent = n ? fmt(T.plan_summary, {paired: res.paired, waiting: res.waiting, groups: n,
      cross: res.cross_country_pairs, bound: res.upper_bound_cross_country_pairs}) : T.plan_empty;
    add(clear(".mlc-s-groups"), res.groups.map(function (g) {
      return mk("li", 0, g.members.map(who).join(" + ") + " — " + reasons(g.reasons));
    }));
    $("[data-act='batch']").hidden = !n;
    $("h4", p).focus();
    return text.textContent;
  }

  // Ask for a reason in the <dialog>; focus goes back to the button that opened it.
  function ask(title, help, required, opener, then) {
    var area = $("textarea", dlg);
    $("h4", dlg).textContent = title;
    $("p", dlg).textContent = help;
    area.value = ""; area.required = required;
    pending = {opener: opener, then: then};
    dlg.returnValue = "";
    dlg.showModal();
    area.focus();
  }
  dlg.addEventListener("close", function () {
    var p = pending; pending = null;
    if (!p) { return; }
    p.opener.focus();
    if (dlg.returnValue === "ok") { p.then($("textarea", dlg).value.trim()); }
  });

  // Hide (or show again) a review, or dissolve an exchange: hiding and dissolving ask for a reason first.
  function moderate(b) {
    var review = b.hasAttribute("data-review"), id = +b.getAttribute(review ? "data-review" : "data-dissolve");
    var what = fmt(review ? T.review_n : T.exchange_n, {id: id});
    if (b.hasAttribute("data-hidden")) { return act(b, "staff_unhide", {kind: "review", id: id}, T.review_shown); }
    ask(fmt(review ? T.hide_title : T.dissolve_title, {what: what}),
      review ? T.reason_required : T.dissolve_help + " " + T.reason_optional, review, b, function (why) {
        if (review) { act(b, "staff_hide", {kind: "review", id: id, reason: why}, T.review_hidden); }
        else { act(b, "staff_dissolve", {exchange: id, reason: why}, T.dissolved); }
      });
  }

  box.addEventListener("click", function (ev) {
    var b = ev.target.closest("button"), a = b && b.getAttribute("data-act"), step = b && b.getAttribute("data-step");
    // Submit buttons belong to forms; a busy button ignores clicks (act() refuses a second action anyway).
    if (!b || b.type === "submit" || b.hasAttribute("aria-disabled")) { return; }
    if (step) {
      var g = b.parentNode;
      q[g.getAttribute("data-pager") + "_page"] += +step;
      load().then(function () { if (b.disabled) { $("button:not([disabled])", g).focus(); } });
    } else if (b.matches("[data-review], [data-dissolve]")) { moderate(b); }
    else if (a === "refresh") { showError(""); load().then(function () { announce(T.updated); }); }
    else if (a === "pair" || a === "pair-anyway") { pair(b, a !== "pair"); }
    else if (a === "plan") {
      act(b, "staff_batch_pair", {dry_run: true, include_same_country: $("[data-opt]").checked}, showPlan);
    }
    else if (a === "batch") {
      act(b, "staff_batch_pair", {dry_run: false, include_same_country: planSame}, function (res) {
        picked = {}; $(".mlc-s-plan").hidden = true;
        return fmt(T.batch_done, {count: (res.exchanges || []).length});
      });
    } else if (a === "close") {
      b.parentNode.hidden = true;
      $(b.parentNode.classList.contains("mlc-s-plan") ? "[data-act='plan']" : "[data-act='pair']").focus();
    }
  });

  box.addEventListener("change", function (ev) {
    var t = ev.target, f = t.getAttribute("data-filter"), id = t.getAttribute("data-pick"), reader;
    if (id) {
      if (t.checked) { picked[id] = true; } else { delete picked[id]; }
      showPicked();
    } else if (f) {
      q[f] = t.value; q.exchanges_page = 1; load();
    } else if (t.type === "file" && t.files[0]) {
      reader = new FileReader();
      reader.onload = function () { $("[name='csv']").value = reader.result; };
      reader.readAsText(t.files[0]);
    } else if (t.hasAttribute("data-act")) { links(); }
  });

  $("[data-form='roster']").addEventListener("submit", function (ev) {
    var f = ev.target, errs = $(".mlc-s-rerr", f);
    ev.preventDefault();
    errs.hidden = true;
    act($("button", f), "staff_import_roster", {csv: f.elements.csv.value}, function (res) {
      return fmt(T.roster_done, res);
    }, function (err) {  // the summary goes to the alert box, each line's problem to the list
      var list = err.details && err.details.errors;
      if (list && list.length) {
        add(clear(".mlc-s-rerr ul"), list.map(function (e) { return mk("li", 0, fmt(T.line_error, e)); }));
        errs.hidden = false;
      }
    });
  });

  $("[data-form='deadline']").addEventListener("submit", function (ev) {
    var f = ev.target.elements, id = parseInt(f.participant.value, 10);
    var iso = function (v) { return v ? new Date(v).toISOString() : null; };  // datetime-local is local time
    ev.preventDefault();
    if (!(id > 0)) { showError(T.deadline_pick, f.participant); return f.participant.focus(); }
    act($("button", ev.target), "staff_extend_deadline", {participant: id, submission_due: iso(f.submission_due.value),
      review_due: iso(f.review_due.value)}, fmt(T.deadline_done, {id: id}));
  });

  links();
  announce(T.loading);
  load();
};
