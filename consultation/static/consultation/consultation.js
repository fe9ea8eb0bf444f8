/* Live updates for a consultation page. The page works without this file; it only adds:
   new posts and replies as they arrive, live support counts, stage-change notices, and
   catch-up over HTTP after a reconnect (channel layers may drop messages). */
(function () {
  "use strict";
  var root = document.querySelector("[data-consultation][data-live-url]");
  if (!root || !("WebSocket" in window)) return;

  var lastSeq = parseInt(root.getAttribute("data-last-seq") || "0", 10);
  var eventsUrl = root.getAttribute("data-events-url");
  var sort = root.getAttribute("data-sort");
  var pageNumber = root.getAttribute("data-page-number");
  var i18n = root.querySelector("[data-i18n]");
  var status = root.querySelector("[data-live-status]");
  var postsBox = root.querySelector("[data-posts]");
  var socket = null;
  var retry = 0;
  var catchingUp = false;

  function say(key) { return i18n ? i18n.getAttribute("data-" + key) : ""; }
  function setStatus(text) { if (status) { status.textContent = text; status.hidden = !text; } }

  var fragmentUrl = root.getAttribute("data-post-url"); // ends in /0/: the post id replaces the 0

  function fetchPost(id) {
    // The server renders the post from the page's own template, for this viewer (its CSRF token,
    // its own controls): a live post looks exactly as it will after a reload. 404: not visible.
    return fetch(fragmentUrl.replace(/\/0\/$/, "/" + id + "/"), {
      credentials: "same-origin", headers: { Accept: "text/html" }
    }).then(function (response) {
      if (!response.ok) return null;
      return response.text().then(function (html) {
        var holder = document.createElement("template");
        holder.innerHTML = html.trim();
        var node = holder.content.firstElementChild;
        return node && node.id === "post-" + id ? node : null;
      });
    }).catch(function () { return null; });
  }

  function place(node, data) {
    if (document.getElementById("post-" + data.id)) return;
    if (data.parent) {
      var parent = document.getElementById("post-" + data.parent);
      var box = parent && parent.querySelector(":scope > [data-replies]");
      if (box) box.appendChild(node);
      return;
    }
    var empty = postsBox.querySelector("[data-empty]");
    if (empty) empty.remove();
    // After the pinned posts, before the rest.
    var first = postsBox.querySelector(":scope > .post:not(.post--pinned)");
    postsBox.insertBefore(node, first);
  }

  function onPostCreated(data) {
    if (document.getElementById("post-" + data.id)) return;
    if (data.parent) {
      if (!document.getElementById("post-" + data.parent)) return;
    } else if (!(sort === "newest" && pageNumber === "1" && postsBox)) {
      var notice = root.querySelector("[data-new-posts]");
      if (notice) notice.hidden = false;
      return;
    }
    fetchPost(data.id).then(function (node) { if (node) place(node, data); });
  }

  function onPostEdited(data) {
    var old = document.getElementById("post-" + data.id);
    if (!old) return;
    fetchPost(data.id).then(function (node) {
      if (!node || !old.parentNode) return;
      // Keep the replies already on the page; replace the post itself.
      var replies = old.querySelector(":scope > [data-replies]");
      var fresh = node.querySelector(":scope > [data-replies]");
      if (replies && fresh) fresh.replaceWith(replies);
      old.replaceWith(node);
    });
  }

  function apply(event) {
    var data = event.data || {};
    var node;
    switch (event.kind) {
      case "post.created": onPostCreated(data); break;
      case "post.reactions":
        node = document.getElementById("post-" + data.id);
        if (node) {
          var s = node.querySelector("[data-support]"); if (s) s.textContent = data.support;
          var o = node.querySelector("[data-oppose]"); if (o) o.textContent = data.oppose;
        }
        break;
      case "post.edited": onPostEdited(data); break;
      case "post.removed":
        node = document.getElementById("post-" + data.id);
        if (node) node.remove();
        break;
      case "stage.changed":
        var label = root.querySelector("[data-stage-label]");
        if (label) label.textContent = data.label;
        showNotice(say("stage-changed"));
        break;
      case "outcome.published":
      case "implementation.updated":
        showNotice(say("outcome"));
        break;
    }
  }

  function showNotice(text) {
    var notice = root.querySelector("[data-stage-notice]");
    if (!notice) return;
    notice.textContent = text;
    notice.hidden = false;
  }

  function receive(event) {
    if (event.seq <= lastSeq) return;          // already seen (after a catch-up)
    if (event.seq > lastSeq + 1) { catchUp(); return; } // a gap: the layer dropped something
    apply(event);
    lastSeq = event.seq;
  }

  function catchUp() {
    if (catchingUp) return;
    catchingUp = true;
    fetch(eventsUrl + "?after=" + lastSeq, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { events: [] }; })
      .then(function (body) {
        (body.events || []).forEach(function (event) {
          if (event.seq === lastSeq + 1) { apply(event); lastSeq = event.seq; }
        });
        catchingUp = false;
        if (body.more) catchUp();
      })
      .catch(function () { catchingUp = false; });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.getAttribute("data-live-url"));
    socket.addEventListener("open", function () {
      var wasRetry = retry > 0;
      retry = 0;
      setStatus(say("live"));
      root.setAttribute("data-live-connected", "true");
      if (wasRetry) catchUp();
    });
    socket.addEventListener("message", function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      if (data.type === "event") receive(data);
    });
    socket.addEventListener("close", function (event) {
      root.removeAttribute("data-live-connected");
      if (event.code === 4401 || event.code === 4403) return; // not allowed: stay a normal page
      setStatus(say("reconnecting"));
      retry += 1;
      setTimeout(connect, Math.min(30000, 1000 * Math.pow(2, retry - 1)));
    });
  }

  // Catch up on anything that happened between rendering and connecting.
  connect();
  catchUp();
})();
