/* The process editor: line numbers beside the YAML, each validation problem shown at its line
   (a marked line number and the message on the line), and a click on "line N" selects that line.
   The problems come from the validation fragment that htmx swaps in as you type. */
(function () {
  "use strict";
  function setUp() {
    var text = document.getElementById("text");
    var gutter = document.getElementById("yaml-gutter");
    var editor = text && text.closest(".yaml-editor");
    if (!text || !gutter || !editor) { return; }
    var problems = [];

    function lineHeight() { return parseFloat(window.getComputedStyle(text).lineHeight) || 20; }
    function padTop() { return parseFloat(window.getComputedStyle(text).paddingTop) || 0; }

    function readProblems() {
      problems = [];
      document.querySelectorAll("#validation [data-goto-line]").forEach(function (button) {
        var item = button.closest("li");
        var code = item && item.querySelector("code");
        problems.push({ line: parseInt(button.getAttribute("data-goto-line"), 10), message: code ? code.textContent : "" });
      });
    }

    function draw() {
      var count = text.value.split("\n").length;
      var bad = {};
      problems.forEach(function (p) { bad[p.line] = (bad[p.line] ? bad[p.line] + "; " : "") + p.message; });
      gutter.textContent = "";
      for (var i = 1; i <= count; i++) {
        var span = document.createElement("span");
        span.textContent = String(i);
        if (bad[i]) { span.className = "bad"; span.title = bad[i]; }
        gutter.appendChild(span);
        gutter.appendChild(document.createTextNode("\n"));
      }
      gutter.scrollTop = text.scrollTop;
      editor.querySelectorAll(".lint-msg").forEach(function (node) { node.remove(); });
      var height = lineHeight();
      Object.keys(bad).forEach(function (line) {
        var top = padTop() + (parseInt(line, 10) - 1) * height - text.scrollTop;
        if (top < 0 || top > text.clientHeight - height / 2) { return; }
        var note = document.createElement("div");
        note.className = "lint-msg";
        note.setAttribute("data-line", line);
        note.textContent = "⚠ " + bad[line];
        note.style.top = top + "px";
        editor.appendChild(note);
      });
    }

    function goTo(line) {
      var lines = text.value.split("\n");
      var start = 0;
      for (var i = 0; i < line - 1 && i < lines.length; i++) { start += lines[i].length + 1; }
      text.focus();
      text.setSelectionRange(start, start + (lines[line - 1] || "").length);
      text.scrollTop = Math.max(0, (line - 3) * lineHeight());
      draw();
    }

    text.addEventListener("scroll", draw);
    text.addEventListener("input", draw);
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-goto-line]");
      if (button) { event.preventDefault(); goTo(parseInt(button.getAttribute("data-goto-line"), 10)); }
    });
    document.body.addEventListener("htmx:afterSwap", function () { readProblems(); draw(); });
    readProblems();
    draw();
    if (text.value.trim() && window.htmx) { window.htmx.trigger(text, "validate"); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setUp); } else { setUp(); }
})();
