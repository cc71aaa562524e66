/* Salesflow sales controlling: draws the Vega-Lite charts of the dashboard (no inline script, CSP 'self').
 *
 * Each chart is a <div class="vega-chart" data-spec="…"> holding its specification as JSON. Vega runs with its expression interpreter (no eval) and the canvas renderer, and
 * vega-embed injects no styles, so the Content Security Policy needs no exception.
 */
(function () {
  "use strict";

  /* Numbers and dates on the axes in the page's language (d3-format / d3-time-format locales). */
  var LOCALES = {
    de: {
      format: { decimal: ",", thousands: ".", grouping: [3], currency: ["", "\u00a0€"] },
      time: {
        dateTime: "%A, der %e. %B %Y, %X", date: "%d.%m.%Y", time: "%H:%M:%S", periods: ["AM", "PM"],
        days: ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
        shortDays: ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
        months: ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
                 "November", "Dezember"],
        shortMonths: ["Jan", "Feb", "Mrz", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"]
      }
    }
  };

  function locale() {
    var language = (document.documentElement.lang || "en").slice(0, 2).toLowerCase();
    return LOCALES[language] || null;
  }

  function draw(root) {
    if (typeof window.vegaEmbed !== "function") return;
    (root || document).querySelectorAll(".vega-chart:not([data-drawn])").forEach(function (element) {
      if (!element.dataset.spec) return;
      element.setAttribute("data-drawn", "1");
      var spec = JSON.parse(element.dataset.spec);
      spec.width = "container";
      var options = {
        renderer: "canvas",
        actions: false,
        ast: true,
        expr: window.vega.expressionInterpreter,
        defaultStyle: false,
        tooltip: { disableDefaultStyle: true }
      };
      var chosen = locale();
      if (chosen) {
        options.formatLocale = chosen.format;
        options.timeFormatLocale = chosen.time;
      }
      window.vegaEmbed(element, spec, options).catch(function (error) {
        element.textContent = "The chart could not be drawn: " + error;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
