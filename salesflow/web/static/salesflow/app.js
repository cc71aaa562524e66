/* Salesflow: small enhancements on top of server-rendered pages (no inline script; CSP 'self').
 *
 * - Closing refusal panels and messages ([data-dismiss]); confirmations fade out after 8 s.
 * - Focusing a refusal panel when htmx swaps it in (screen readers announce it, keyboards land on it).
 * - Drag and drop on the pipeline board: dropping a card on a column submits the card's own
 *   "Move…" form with that stage, so the server runs the same gate check as every other move.
 * - The account picker of the record form: clicking a found account (or creating one inline) links
 *   it (hidden field "customer"); typing another name afterwards unlinks it.
 */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss]");
    if (!button) return;
    var panel = button.closest(button.dataset.dismiss === "message" ? ".message" : ".feedback");
    if (panel) panel.remove();
  });

  /* Confirmations fade out after a while; errors and warnings stay until closed. */
  function fadeMessages() {
    document.querySelectorAll(".messages .message-success, .messages .message-info").forEach(function (message) {
      var timer = window.setTimeout(function () {
        message.classList.add("is-leaving");
        window.setTimeout(function () { message.remove(); }, 450);
      }, 8000);
      message.addEventListener("mouseenter", function () { window.clearTimeout(timer); });
      message.addEventListener("focusin", function () { window.clearTimeout(timer); });
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.classList || !target.classList.contains("feedback-slot")) return;
    var panel = target.querySelector(".feedback");
    if (panel) {
      panel.focus({ preventScroll: true });
      panel.scrollIntoView({ behavior: "smooth", block: "nearest" });
    }
  });

  /* --- the account picker ------------------------------------------------------------------ */
  function pickAccount(id, name, url) {
    var hidden = document.getElementById("id_customer");
    var input = document.getElementById("id_account");
    var chip = document.getElementById("account-picked");
    var link = document.getElementById("account-picked-link");
    var options = document.getElementById("account-options");
    if (!hidden || !input) return;
    hidden.value = id;
    input.value = name;
    input.dataset.picked = name;
    input.setAttribute("aria-expanded", "false");
    if (link) { link.textContent = name; link.href = url || ""; }
    if (chip) chip.hidden = false;
    if (options) options.innerHTML = "";
  }

  document.addEventListener("click", function (event) {
    var option = event.target.closest(".account-option");
    if (!option || !document.getElementById("id_customer")) return;
    pickAccount(option.dataset.accountId, option.dataset.accountName, option.dataset.accountUrl);
  });

  document.addEventListener("input", function (event) {
    if (event.target.id !== "id_account") return;
    var hidden = document.getElementById("id_customer");
    var chip = document.getElementById("account-picked");
    if (hidden && hidden.value && event.target.value !== event.target.dataset.picked) {
      hidden.value = "";
      if (chip) chip.hidden = true;
    }
  });

  document.addEventListener("htmx:afterSwap", function () {
    var options = document.getElementById("account-options");
    var input = document.getElementById("id_account");
    if (!options || !input) return;
    if (options.dataset.pickedId) {
      var option = options.querySelector(".account-option");
      pickAccount(options.dataset.pickedId, options.dataset.pickedName, option ? option.dataset.accountUrl : "");
    } else {
      input.setAttribute("aria-expanded", options.querySelector(".account-option, .account-new") ? "true" : "false");
    }
  });

  function setUpBoard(board) {
    var dragged = null;

    board.addEventListener("dragstart", function (event) {
      var card = event.target.closest(".deal[draggable='true']");
      if (!card) return;
      dragged = card;
      card.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.dataset.record);
      var targets = (card.dataset.targets || "").split(" ");
      board.querySelectorAll(".column").forEach(function (column) {
        if (targets.indexOf(column.dataset.stage) !== -1) column.classList.add("can-drop");
      });
    });

    board.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("is-dragging");
      dragged = null;
      board.querySelectorAll(".column").forEach(function (column) {
        column.classList.remove("can-drop", "drop-over");
      });
    });

    board.addEventListener("dragover", function (event) {
      var column = event.target.closest(".column.can-drop");
      if (!column || !dragged) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      board.querySelectorAll(".drop-over").forEach(function (other) {
        if (other !== column) other.classList.remove("drop-over");
      });
      column.classList.add("drop-over");
    });

    board.addEventListener("drop", function (event) {
      var column = event.target.closest(".column.can-drop");
      if (!column || !dragged) return;
      event.preventDefault();
      var form = dragged.querySelector("form.move-form");
      if (!form) return;
      form.querySelector("select[name='stage']").value = column.dataset.stage;
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    });
  }

  function showCurrentStage() {
    var wrap = document.querySelector(".path-wrap");
    var current = wrap && wrap.querySelector(".path-current");
    if (wrap && current && wrap.scrollWidth > wrap.clientWidth) {
      wrap.scrollLeft = Math.max(0, current.offsetLeft - 16);
    }
  }

  function init() {
    var board = document.getElementById("board");
    if (board) setUpBoard(board);
    showCurrentStage();
    fadeMessages();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
