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

  /* The panels arrive in one streamed response (each as soon as it is computed), separated by PANEL_END.
   * Whatever the stream did not bring (an old browser, a broken connection) is loaded panel by panel by htmx. */
  var PANEL_END = "\n<!-- /panel -->\n";

  function place(piece) {
    var holder = document.createElement("template");
    holder.innerHTML = piece;
    var content = holder.content.querySelector("[data-panel]");
    if (!content) return;
    var section = document.getElementById("panel-" + content.getAttribute("data-panel"));
    if (!section) return;
    section.replaceChildren.apply(section, Array.prototype.slice.call(content.childNodes));
    if (window.htmx) window.htmx.process(section);
    draw(section);
  }

  function loadMissing(root) {
    root.querySelectorAll("section.controlling-panel").forEach(function (section) {
      if (section.querySelector(".loading") && window.htmx) window.htmx.trigger(section, "sf-panel-fallback");
    });
  }

  function streamPanels() {
    var root = document.querySelector("[data-panels-stream]");
    if (!root) return;
    if (!window.fetch || !window.TextDecoder || !window.ReadableStream) {
      loadMissing(root);
      return;
    }
    fetch(root.getAttribute("data-panels-stream"), { credentials: "same-origin" }).then(function (response) {
      if (!response.ok || !response.body) {
        loadMissing(root);
        return null;
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (result) {
          buffer += decoder.decode(result.value || new Uint8Array(0), { stream: !result.done });
          var end = buffer.indexOf(PANEL_END);
          while (end >= 0) {
            place(buffer.slice(0, end));
            buffer = buffer.slice(end + PANEL_END.length);
            end = buffer.indexOf(PANEL_END);
          }
          if (result.done) {
            loadMissing(root);
            return null;
          }
          return pump();
        });
      }
      return pump();
    }).catch(function () { loadMissing(root); });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); streamPanels(); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
