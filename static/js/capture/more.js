// The capture form's "more" control: as the user left it last time (kept on this phone), and
// open whenever it holds a value (a refilled capture, a scanned card) so nothing is hidden.
export function rememberMore(form) {
  const details = form.querySelector("details[data-remember]");
  if (!details) return () => {};
  const key = details.dataset.remember;
  let quiet = false; // a toggle made here, not by the user, is not remembered
  const set = (open) => {
    if (details.open === open) return;
    quiet = true;
    details.open = open;
  };
  if (!details.open) set(localStorage.getItem(key) === "open");
  details.addEventListener("toggle", () => {
    if (quiet) {
      quiet = false;
      return;
    }
    localStorage.setItem(key, details.open ? "open" : "closed");
  });
  // Called after the form is filled or emptied.
  return () => {
    const filled = [...details.querySelectorAll("input:not([type=hidden]), textarea")].some(
      (field) => field.value.trim(),
    );
    set(filled || localStorage.getItem(key) === "open");
  };
}
