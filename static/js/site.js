// Site-wide behaviour. Loaded with defer; no inline scripts (CSP).
document.addEventListener("DOMContentLoaded", () => {
  // Confirm destructive or final actions: <form data-confirm="Are you sure?">
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
