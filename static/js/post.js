/* A JSON POST to one of the block's handlers, with Django's CSRF cookie: {ok, body} (shared by the evidence check
   and the board, learner and Studio views). */
function mlcPost(runtime, root, name, data) {
  "use strict";
  var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return fetch(runtime.handlerUrl(root, name), {method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRFToken": m ? decodeURIComponent(m[1]) : ""},
    body: JSON.stringify(data)})
    .then(function (resp) { return resp.json().then(function (body) { return {ok: resp.ok, body: body}; }); });
}
