// The citation box of a report page: the reader's access date in the archive copy's reference, and copy buttons
// that work over http and from file:// (where navigator.clipboard may be missing or refuse).
(function () {
  "use strict";

  function today() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }

  function status(box, text) {
    var out = box.querySelector(".copy-status");
    if (out) out.textContent = text;
  }

  // The old way: a hidden textarea's text selected and copied; true when the browser says it copied.
  function copyBySelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "0";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  // Nothing could copy: select the reference itself, so the reader presses Ctrl+C.
  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  function copy(button) {
    var box = button.closest(".cite-box");
    var ref = document.getElementById(button.getAttribute("data-copy"));
    var text = ref.textContent.trim();
    function done() { status(box, "已复制：" + text); }
    function fallback() {
      if (copyBySelection(text)) { done(); return; }
      selectText(ref);
      status(box, "浏览器不允许复制，已选中引用，请按 Ctrl+C（⌘C）复制。");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  function init() {
    var date = "[" + today() + "]";
    document.querySelectorAll("[data-accessed]").forEach(function (el) { el.textContent = date; });
    document.querySelectorAll(".cite-box button[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () { copy(button); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
