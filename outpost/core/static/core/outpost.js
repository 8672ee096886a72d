// Behaviour the pages ask for by attribute: the Content-Security-Policy allows no inline script.
document.addEventListener("focusin", (event) => {
  // A link or code to copy: one tap selects all of it.
  if (event.target.matches("input[data-select-on-focus]")) {
    event.target.select();
  }
});
