// Site-wide behaviour. Loaded with defer; no inline scripts (CSP).
// Pages with words in their scripts load Django's JavaScript catalog (jsi18n) after this file,
// which replaces this stand-in with the reader's language.
window.gettext = window.gettext || ((text) => text);
document.addEventListener("DOMContentLoaded", () => {
  // Confirm destructive or final actions: <form data-confirm="Are you sure?">
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
