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
  var template = document.getElementById("post-template");
  var socket = null;
  var retry = 0;
  var catchingUp = false;

  function say(key) { return i18n ? i18n.getAttribute("data-" + key) : ""; }
  function setStatus(text) { if (status) { status.textContent = text; status.hidden = !text; } }

  function linkify(container, text) {
    // Text nodes and <a> elements only: user text is never parsed as HTML.
    var pattern = /(https?:\/\/[^\s<>"]+)/g;
    var lines = text.split("\n");
    lines.forEach(function (line, index) {
      var last = 0, match;
      while ((match = pattern.exec(line)) !== null) {
        container.appendChild(document.createTextNode(line.slice(last, match.index)));
        var a = document.createElement("a");
        a.href = match[1]; a.rel = "nofollow noopener"; a.textContent = match[1];
        container.appendChild(a);
        last = match.index + match[1].length;
      }
      container.appendChild(document.createTextNode(line.slice(last)));
      if (index < lines.length - 1) container.appendChild(document.createElement("br"));
    });
  }

  function buildPost(data) {
    var node = template.content.firstElementChild.cloneNode(true);
    node.id = "post-" + data.id;
    node.setAttribute("data-post", data.id);
    node.setAttribute("data-depth", data.depth);
    node.querySelector("[data-author]").textContent = data.author;
    if (data.official) { node.classList.add("post--official"); node.querySelector("[data-official]").hidden = false; }
    if (data.kind === "proposal" && !data.parent) node.querySelector("[data-proposal]").hidden = false;
    var time = node.querySelector("[data-time]");
    time.setAttribute("datetime", data.created);
    time.textContent = new Date(data.created).toLocaleString();
    linkify(node.querySelector("[data-body]"), data.body);
    node.querySelector("[data-support]").textContent = data.support;
    var oppose = node.querySelector("[data-oppose]");
    if (oppose) oppose.textContent = data.oppose;
    var form = node.querySelector("[data-react-template]");
    // The template's form already carries the page's CSRF token.
    if (form) form.action = "/consultations/posts/" + data.id + "/react/";
    var permalink = node.querySelector("[data-permalink]");
    if (permalink) permalink.href = "?post=" + data.id + "#post-" + data.id;
    return node;
  }

  function onPostCreated(data) {
    if (document.getElementById("post-" + data.id)) return;
    if (data.parent) {
      var parent = document.getElementById("post-" + data.parent);
      if (!parent) return;
      var box = parent.querySelector(":scope > [data-replies]");
      if (box) box.appendChild(buildPost(data));
      return;
    }
    if (sort === "newest" && pageNumber === "1" && postsBox) {
      var empty = postsBox.querySelector("[data-empty]");
      if (empty) empty.remove();
      // After the pinned posts, before the rest.
      var first = postsBox.querySelector(":scope > .post:not(.post--pinned)");
      postsBox.insertBefore(buildPost(data), first);
    } else {
      var notice = root.querySelector("[data-new-posts]");
      if (notice) notice.hidden = false;
    }
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
      case "post.edited":
        node = document.getElementById("post-" + data.id);
        if (node) { var body = node.querySelector("[data-body]"); body.textContent = ""; linkify(body, data.body); }
        break;
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
