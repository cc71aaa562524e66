/* Salesflow sales controlling: draws the Vega-Lite charts of the dashboard (no inline script, CSP 'self').
 *
 * Each chart is a <div class="vega-chart" data-spec="…"> holding its specification as JSON. Vega runs with its expression interpreter (no eval) and the canvas renderer, and
 * vega-embed injects no styles, so the Content Security Policy needs no exception.
 */
(function () {
  "use strict";

  function draw(root) {
    if (typeof window.vegaEmbed !== "function") return;
    (root || document).querySelectorAll(".vega-chart:not([data-drawn])").forEach(function (element) {
      if (!element.dataset.spec) return;
      element.setAttribute("data-drawn", "1");
      var spec = JSON.parse(element.dataset.spec);
      spec.width = "container";
      window.vegaEmbed(element, spec, {
        renderer: "canvas",
        actions: false,
        ast: true,
        expr: window.vega.expressionInterpreter,
        defaultStyle: false,
        tooltip: { disableDefaultStyle: true }
      }).catch(function (error) {
        element.textContent = "The chart could not be drawn: " + error;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
