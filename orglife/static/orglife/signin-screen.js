// The secretary's sign-in screen renews its code before the signed link in it expires.
// Without JavaScript the page offers a "show a new code" link instead.
(function () {
  var screen = document.querySelector("[data-renew-seconds]");
  if (!screen) return;
  var seconds = parseInt(screen.getAttribute("data-renew-seconds"), 10) || 60;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
