// Progressive enhancement of survey forms: show-if conditions and one step at a time on phones.
// Without JavaScript every question shows and the server applies the same conditions.
(function () {
  "use strict";
  var form = document.querySelector(".survey-form");
  if (!form) return;

  function selectedOf(key) {
    var box = form.querySelector('[data-key="' + key + '"]');
    if (!box || box.hasAttribute("data-hidden-by-condition")) return [];
    var step = box.closest(".survey-step");
    if (step && step.hasAttribute("data-hidden-by-condition")) return [];
    return Array.prototype.map.call(box.querySelectorAll("input:checked"), function (i) { return i.value; });
  }

  function applyConditions() {
    form.querySelectorAll("[data-show-if]").forEach(function (el) {
      var wanted = (el.getAttribute("data-show-values") || "").split("|");
      var shown = selectedOf(el.getAttribute("data-show-if")).some(function (v) { return wanted.indexOf(v) !== -1; });
      if (shown) { el.removeAttribute("data-hidden-by-condition"); } else { el.setAttribute("data-hidden-by-condition", ""); }
      el.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !shown; });
    });
  }
  form.addEventListener("change", applyConditions);
  applyConditions();

  var steps = Array.prototype.slice.call(form.querySelectorAll(".survey-step"));
  if (steps.length < 2) return;
  form.setAttribute("data-stepped", "");
  var stepInput = form.querySelector("[data-step-input]");
  var current = parseInt(form.getAttribute("data-start-step") || "0", 10) || 0;

  function visibleSteps() {
    return steps.filter(function (s) { return !s.hasAttribute("data-hidden-by-condition"); });
  }
  function show(index, focus) {
    var visible = visibleSteps();
    index = Math.max(0, Math.min(index, visible.length - 1));
    steps.forEach(function (s) { s.classList.remove("is-current"); });
    var step = visible[index];
    step.classList.add("is-current");
    current = index;
    stepInput.value = steps.indexOf(step);
    form.classList.toggle("is-last-step", index === visible.length - 1);
    step.querySelectorAll(".survey-nav").forEach(function (nav) { nav.hidden = false; });
    var back = step.querySelector("[data-step-back]");
    var next = step.querySelector("[data-step-next]");
    if (back) back.hidden = index === 0;
    if (next) next.hidden = index === visible.length - 1;
    if (focus) { var h = step.querySelector("legend"); step.scrollIntoView({ block: "start" }); if (h) { h.setAttribute("tabindex", "-1"); h.focus(); } }
  }
  // An answer can show or hide a later step: redraw the buttons of the current one (下一步 or 提交).
  form.addEventListener("change", function () {
    var here = steps.filter(function (s) { return s.classList.contains("is-current"); })[0];
    var index = visibleSteps().indexOf(here);
    show(index === -1 ? current : index, false);
  });
  form.addEventListener("click", function (event) {
    if (event.target.matches("[data-step-next]")) { applyConditions(); show(current + 1, true); }
    if (event.target.matches("[data-step-back]")) { show(current - 1, true); }
  });
  var start = steps[Math.min(current, steps.length - 1)];
  show(Math.max(0, visibleSteps().indexOf(start)), false);
  var summary = document.getElementById("survey-errors");
  if (summary) summary.focus();
})();
