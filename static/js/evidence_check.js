/* Evidence check: send the 1-5 answers once; show the learner's change. Studio: a plain settings form. */
function MlcourseEvidenceCheck(runtime, element) {
  "use strict";
  var root = element && element.jquery ? element[0] : element;
  var form = root.querySelector(".mlc-ec-form"), boot = root.querySelector("script[type='application/json']");
  if (!form || !boot) { return; }
  var T = JSON.parse(boot.textContent), live = root.querySelector(".mlc-ec-live");
  var errorBox = root.querySelector(".mlc-ec-error"), button = form.querySelector("button[type=submit]");
  function fail(message) { errorBox.textContent = message; errorBox.hidden = false; errorBox.focus(); }
  function showChange(rows) {
    var section = root.querySelector(".mlc-ec-change"), body = section.querySelector("tbody");
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      [r.text, r.before, r.after, (r.diff > 0 ? "+" : "") + r.diff].forEach(function (v, i) {
        var cell = document.createElement(i ? "td" : "th");
        cell.textContent = v;
        if (!i) { cell.scope = "row"; cell.dir = "auto"; } else if (i === 3) { cell.dir = "ltr"; }
        tr.appendChild(cell);
      });
      body.appendChild(tr);
    });
    section.hidden = !rows.length;
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var answers = {};
    Array.prototype.forEach.call(form.querySelectorAll("[data-statement]"), function (fs) {
      var checked = fs.querySelector("input:checked");
      if (checked) { answers[fs.getAttribute("data-statement")] = parseInt(checked.value, 10); }
    });
    button.disabled = true; live.textContent = T.saving;
    mlcPost(runtime, root, "submit", {answers: answers}).then(function (res) {
      button.disabled = false; live.textContent = "";
      if (!res.ok) { return fail(res.body.error); }
      errorBox.hidden = true; form.remove();
      live.textContent = T.thanks;
      showChange(res.body.change || []);
    }, function () { button.disabled = false; live.textContent = ""; fail(T.network_error); });
  });
}
function MlcourseEvidenceCheckStudio(runtime, element) {
  "use strict";
  MlcourseStudioForm(runtime, element, function (e) {
    return {display_name: e.display_name.value, key: e.key.value.trim(), moment: e.moment.value,
            statements: e.statements.value};
  });
}
