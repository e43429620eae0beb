/* The Studio settings form of the evidence check and the board: save and cancel told to the runtime, errors
   shown in the form's alert and focused; `payload(form.elements)` gives each block's settings. Needs post.js. */
function MlcourseStudioForm(runtime, element, payload) {
  "use strict";
  var root = element && element.jquery ? element[0] : element;
  var form = root.querySelector(".mlc-studio form"), errorBox = form.querySelector(".mlc-error");
  var T = JSON.parse(form.querySelector("script[type='application/json']").textContent);
  if (typeof MlcourseIdListEditor === "function") { MlcourseIdListEditor(form.querySelector("[data-id-list]")); }
  function fail(message) {
    errorBox.textContent = message; errorBox.hidden = false; errorBox.focus();
    runtime.notify("error", {title: T.could_not_save, message: message});
  }
  form.addEventListener("click", function (ev) {
    if (ev.target.getAttribute("data-action") === "cancel") { runtime.notify("cancel", {}); }
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    runtime.notify("save", {state: "start"});
    mlcPost(runtime, root, "studio_submit", payload(form.elements)).then(function (res) {
      if (!res.ok) { return fail(res.body.error); }
      errorBox.hidden = true; runtime.notify("save", {state: "end"});
    }, function () { fail(T.network_error); });
  });
}
