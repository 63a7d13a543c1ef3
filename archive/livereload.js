// Live reload for `build.py --serve`: injected into HTML responses by the dev server, never into the built site.
// Waits on the server (long poll) and reloads this page when a rebuild changed it; shows build errors on top.
(function () {
  "use strict";
  var script = document.currentScript;
  var epoch = Number(script && script.getAttribute("data-epoch")) || 0;
  var endpoint = "/__livereload";
  var first = true;
  var overlay = null;

  function showError(text) {
    if (!text) {
      if (overlay) { overlay.remove(); overlay = null; }
      return;
    }
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "livereload-error";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2em;" +
        "background:rgba(20,20,20,.92);color:#fff;font:14px/1.6 ui-monospace,monospace;white-space:pre-wrap";
      var title = document.createElement("h2");
      title.style.cssText = "color:#ff8a80;font:bold 18px sans-serif;margin:0 0 1em";
      title.textContent = "构建失败：仍显示上一次成功的版本（修正后自动恢复）";
      var body = document.createElement("pre");
      body.className = "livereload-error-text";
      body.style.cssText = "margin:0;white-space:pre-wrap";
      overlay.appendChild(title);
      overlay.appendChild(body);
      (document.body || document.documentElement).appendChild(overlay);
    }
    overlay.querySelector("pre").textContent = text;  // text, never HTML: messages quote the content
  }

  function poll() {
    var url = endpoint + "?epoch=" + epoch + "&path=" + encodeURIComponent(location.pathname) + (first ? "&first=1" : "");
    fetch(url, { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        first = false;
        if (state.reload) { location.reload(); return; }
        epoch = state.epoch;
        showError(state.error);
        poll();
      })
      .catch(function () { setTimeout(poll, 1000); });  // server restarting or stopped: try again
  }

  poll();
})();
