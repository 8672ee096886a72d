// Behaviour the pages ask for by attribute: the Content-Security-Policy allows no inline script.
document.addEventListener("focusin", (event) => {
  // A link or code to copy: one tap selects all of it.
  if (event.target.matches("input[data-select-on-focus]")) {
    event.target.select();
  }
});

document.addEventListener("htmx:beforeSwap", (event) => {
  // A form refused with its errors (422) is shown in place, naming the field: htmx swaps
  // only successful answers by default.
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
