// Copy button for the ballot receipt (progressive enhancement: without it, the code is plain text to copy).
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!target) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = target.textContent.trim();
      var done = function () {
        if (status) {
          status.textContent = button.getAttribute("data-copied");
        }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () {
          selectText(target);
        });
      } else {
        selectText(target);
        try {
          if (document.execCommand("copy")) {
            done();
          }
        } catch (error) {
          // The code stays selected: the voter copies it by hand.
        }
      }
    });
  });

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
})();
