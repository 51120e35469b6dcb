// Print button of the attendance sheet (no inline script: the Content Security Policy forbids them).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
