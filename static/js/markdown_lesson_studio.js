/* Studio editor of the co-authored lesson: a plain form; rows for languages and co-designers come from <template>. */
function MlcourseMarkdownLessonStudio(runtime, element) {
  "use strict";
  var root = element && element.jquery ? element[0] : element;
  var form = root.querySelector(".mlc-studio form"), errorBox = form.querySelector(".mlc-error");
  var T = JSON.parse(form.querySelector("script[type='application/json']").textContent);
  function rows(kind) { return Array.prototype.slice.call(form.querySelectorAll("[data-list='" + kind + "'] > [data-row]")); }
  function val(row, key) { return row.querySelector("[data-k='" + key + "']").value; }
  function fail(message) {
    errorBox.textContent = message; errorBox.hidden = false; errorBox.focus();
    runtime.notify("error", {title: T.could_not_save, message: message});
  }
  form.addEventListener("click", function (ev) {
    var t = ev.target, kind = t.getAttribute("data-add");
    if (t.hasAttribute("data-remove")) {
      var list = t.closest("[data-list]");
      t.closest("[data-row]").remove();
      form.querySelector("[data-add='" + list.getAttribute("data-list") + "']").focus();
    } else if (kind) {
      var row = form.querySelector("template[data-template='" + kind + "']").content.firstElementChild.cloneNode(true);
      form.querySelector("[data-list='" + kind + "']").appendChild(row);
      row.querySelector("input, textarea").focus();
    } else if (t.getAttribute("data-action") === "cancel") {
      runtime.notify("cancel", {});
    }
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var e = form.elements;
    var data = {
      display_name: e.display_name.value, body_language: e.body_language.value.trim(), body: e.body.value,
      variants: rows("variant").map(function (r) { return {language: val(r, "language").trim(), text: val(r, "text")}; }),
      credits: rows("credit").map(function (r) {
        return {name: val(r, "name"), institution: val(r, "institution"), country: val(r, "country").trim()};
      }),
      practice_case: {country: e.case_country.value.trim(), source_url: e.case_source_url.value.trim(), text: e.case_text.value},
      discussion_prompt: e.discussion_prompt.value,
      iframe_hosts: e.iframe_hosts.value.split(/\s+/).filter(Boolean)
    };
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    runtime.notify("save", {state: "start"});
    fetch(runtime.handlerUrl(root, "studio_submit"), {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": m ? decodeURIComponent(m[1]) : ""},
      body: JSON.stringify(data)})
      .then(function (resp) { return resp.json().then(function (body) { return {ok: resp.ok, body: body}; }); })
      .then(function (res) {
        if (!res.ok) { return fail(res.body.error); }
        errorBox.hidden = true; runtime.notify("save", {state: "end"});
      }, function () { fail(T.network_error); });
  });
}
