// Live list for handlers: a new or moved request in my grid or unit appears without a reload.
// The socket only names the request; its row comes from the server, rendered by the same template as
// the list itself, for this viewer (and only if they may handle it).
(function () {
  "use strict";
  var list = document.getElementById("appeal-list");
  if (!list || list.dataset.live !== "on" || !("WebSocket" in window)) { return; }
  var status = document.getElementById("appeal-live-status");
  var rowUrl = list.dataset.rowUrl;
  var delay = 1000;

  function insertRow(id) {
    var url = rowUrl.replace("/0/row/", "/" + encodeURIComponent(id) + "/row/");
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        var row = template.content.firstElementChild;
        if (!row) { return; }
        row.classList.add("appeal-row--new");
        var old = document.getElementById(row.id);
        if (old) { old.replaceWith(row); } else { list.insertBefore(row, list.firstChild); }
        var empty = document.getElementById("appeal-list-empty");
        if (empty) { empty.remove(); }
        if (status) { status.textContent = list.dataset.newText || ""; }
      })
      .catch(function () {});
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + list.dataset.liveUrl);
    socket.onopen = function () { delay = 1000; list.dataset.connected = "true"; };
    socket.onmessage = function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (error) { return; }
      if (data && data.type === "appeal" && Number.isInteger(data.id)) { insertRow(data.id); }
    };
    socket.onclose = function (event) {
      list.dataset.connected = "false";
      if (event.code === 4401 || event.code === 4403) { return; }
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
