// After a quick form updates the records panel, move keyboard and screen-reader focus to the
// first error, or else to the confirmation, so people know what happened without a page reload.
document.body.addEventListener("htmx:afterSettle", () => {
  const panel = document.getElementById("records");
  if (!panel) {
    return;
  }
  const target =
    panel.querySelector(".nhsuk-error-message") ||
    panel.querySelector("[data-testid='conflict']") ||
    panel.querySelector("[data-testid='quick-note']");
  if (target) {
    target.setAttribute("tabindex", "-1");
    target.focus();
  }
});
