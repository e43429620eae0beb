/* Studio editor of the peer exchange: plain form plus a small rubric list (add, remove, reorder). */
function MlcoursePeerExchangeStudio(runtime, element) {
  "use strict";
  var root = element && element.jquery ? element[0] : element;
  var form = root.querySelector(".mlc-studio form");
  var list = form.querySelector("[data-rubric]");
  var errorBox = form.querySelector(".mlc-error");
  var boot = JSON.parse(form.querySelector("script[type='application/json']").textContent);
  var rubric = boot.rubric || [], T = boot.strings;
  var counter = 0;

  function el(tag, attrs, text) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text !== undefined) { n.textContent = text; }
    return n;
  }

  function row(q) {
    counter += 1;
    var id = "mlc-q-" + counter;
    var r = el("div", {"class": "mlc-rubric-row"});
    r.dataset.qid = q.id || ("q" + Date.now().toString(36) + counter);
    var wrap = el("div", {"class": "mlc-field"});
    wrap.appendChild(el("label", {"for": id}, T.question));
    var label = el("input", {type: "text", id: id, maxlength: "500", "data-k": "label", dir: "auto"});
    label.value = q.label || "";
    wrap.appendChild(label);
    r.appendChild(wrap);
    var type = el("select", {"aria-label": T.type, "data-k": "type"});
    [["scale", T.type_scale], ["text", T.type_text]].forEach(function (o) {
      var opt = el("option", {value: o[0]}, o[1]); if (q.type === o[0]) { opt.selected = true; } type.appendChild(opt);
    });
    r.appendChild(type);
    var reqLabel = el("label", {});
    var req = el("input", {type: "checkbox", "data-k": "required"});
    req.checked = q.required !== false;
    reqLabel.appendChild(req); reqLabel.appendChild(document.createTextNode(" " + T.required_label));
    r.appendChild(reqLabel);
    var tools = el("div", {});
    [["up", T.move_up], ["down", T.move_down], ["remove", T.remove]].forEach(function (b) {
      var btn = el("button", {type: "button", "class": "mlc-button mlc-secondary", "data-move": b[0]}, b[1]);
      tools.appendChild(btn);
    });
    r.appendChild(tools);
    return r;
  }

  rubric.forEach(function (q) { list.appendChild(row(q)); });
  list.addEventListener("click", function (ev) {
    var move = ev.target.getAttribute("data-move");
    if (!move) { return; }
    var r = ev.target.closest(".mlc-rubric-row");
    if (move === "remove") { r.remove(); }
    if (move === "up" && r.previousElementSibling) { list.insertBefore(r, r.previousElementSibling); }
    if (move === "down" && r.nextElementSibling) { list.insertBefore(r.nextElementSibling, r); }
    ev.target.focus();
  });
  form.querySelector("[data-action='add-question']").addEventListener("click", function () {
    var r = row({type: "scale", required: true});
    list.appendChild(r); r.querySelector("input").focus();
  });
  form.querySelector("[data-action='cancel']").addEventListener("click", function () { runtime.notify("cancel", {}); });

  function num(name) { var v = form.elements[name].value.trim(); return v === "" ? null : Number(v); }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var data = {
      display_name: form.elements.display_name.value, prompt: form.elements.prompt.value,
      partner_rule: form.elements.partner_rule.value, allow_triads: form.elements.allow_triads.checked,
      anonymous: form.elements.anonymous.checked,
      fallback_window_hours: num("fallback_window_hours"), review_window_hours: num("review_window_hours"),
      min_words: num("min_words"), max_words: num("max_words"),
      weight_contribution: num("weight_contribution"), weight_reviews: num("weight_reviews"),
      weight_reflection: num("weight_reflection"),
      submission_due: form.elements.submission_due.value.trim() || null,
      review_due: form.elements.review_due.value.trim() || null,
      rubric: Array.prototype.map.call(list.children, function (r) {
        return {id: r.dataset.qid, label: r.querySelector("[data-k=label]").value,
          type: r.querySelector("[data-k=type]").value, required: r.querySelector("[data-k=required]").checked};
      })
    };
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    runtime.notify("save", {state: "start"});
    fetch(runtime.handlerUrl(root, "studio_submit"), {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": m ? decodeURIComponent(m[1]) : ""},
      body: JSON.stringify(data)})
      .then(function (resp) { return resp.json().then(function (body) { return {ok: resp.ok, body: body}; }); })
      .then(function (res) {
        if (res.ok) { errorBox.hidden = true; runtime.notify("save", {state: "end"}); return; }
        errorBox.textContent = res.body.error; errorBox.hidden = false; errorBox.focus();
        runtime.notify("error", {title: T.could_not_save, message: res.body.error});
      });
  });
}
