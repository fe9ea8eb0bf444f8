// A job's progress page with JavaScript: ask the server where the job is every two seconds and move the
// bar; once it has finished (or failed) reload the page, which then shows the download link or the message.
// Without JavaScript the page refreshes itself (<noscript><meta http-equiv="refresh">) and has a link.
(function () {
  "use strict";
  var box = document.querySelector("[data-job][data-job-active]");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-job-status-url");
  var bar = box.querySelector("progress");
  var stage = box.querySelector("[data-job-stage]");
  var percent = box.querySelector("[data-job-percent]");
  var delay = 1000;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        bar.value = data.percent;
        bar.textContent = data.percent + "%";
        if (stage.textContent !== data.stage) stage.textContent = data.stage;
        percent.textContent = data.percent;
        if (!data.active) {
          window.location.reload();
          return;
        }
        delay = 1000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000); // the server is busy or away: ask less often
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
})();
