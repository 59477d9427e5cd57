// Scoring page: autosave each criterion's rating and comment, and keep the progress bar
// up to date. Loaded with defer; no inline scripts (CSP). Without JavaScript each
// criterion's "Save" button posts the same form.
// Words go through gettext: Django's JavaScript catalog (jsi18n), loaded first.
(function () {
  "use strict";
  const DEBOUNCE_MS = 800;

  function setProgress(rated) {
    const box = document.getElementById("score-progress");
    if (!box) return;
    const total = parseInt(box.dataset.total, 10) || 0;
    const bar = box.querySelector("[role=progressbar]");
    const fill = box.querySelector(".progress-bar");
    const percent = total ? Math.round((100 * rated) / total) : 0;
    bar.setAttribute("aria-valuenow", String(rated));
    fill.style.width = percent + "%";
    box.querySelector("[data-rated]").textContent = String(rated);
  }

  // Forms changed since their last successful save. Links and forms marked data-save-first
  // (next criterion to rate, submit) save these before they leave the page (issue 17).
  const dirty = new Set();

  function save(form) {
    const status = form.querySelector("[data-status]");
    status.textContent = gettext("Saving…");
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", Accept: "application/json" },
    })
      .then((response) => response.json().then((data) => ({ ok: response.ok, data: data })))
      .then(({ ok, data }) => {
        if (ok && data.ok) {
          dirty.delete(form);
          status.textContent = gettext("Saved");
          setProgress(data.rated);
        } else {
          status.textContent = gettext("Not saved: ") + (data.error || gettext("please try again."));
        }
      })
      .catch(() => {
        status.textContent = gettext("Not saved: check your connection and try again.");
      });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const fill = document.querySelector("#score-progress .progress-bar");
    if (fill) fill.style.width = (parseInt(fill.dataset.percent, 10) || 0) + "%";

    document.querySelectorAll("form[data-autosave]").forEach((form) => {
      let timer = null;
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        window.clearTimeout(timer);
        save(form);
      });
      form.addEventListener("input", () => dirty.add(form));
      form.addEventListener("change", () => dirty.add(form));
      form.querySelectorAll("select").forEach((select) => {
        select.addEventListener("change", () => {
          window.clearTimeout(timer);
          save(form);
        });
      });
      form.querySelectorAll("textarea").forEach((area) => {
        area.addEventListener("input", () => {
          window.clearTimeout(timer);
          timer = window.setTimeout(() => save(form), DEBOUNCE_MS);
        });
      });
      // Autosave is listening from here on (tests wait for this before typing).
      form.dataset.enhanced = "true";
    });

    function saveThen(go) {
      if (!dirty.size) return false;
      Promise.all(Array.from(dirty, (form) => save(form))).then(go);
      return true;
    }
    document.querySelectorAll("a[data-save-first]").forEach((link) => {
      link.addEventListener("click", (event) => {
        if (saveThen(() => window.location.assign(link.href))) event.preventDefault();
      });
    });
    document.querySelectorAll("form[data-save-first]").forEach((form) => {
      form.addEventListener("submit", (event) => {
        if (saveThen(() => form.submit())) event.preventDefault();
      });
    });
  });
})();
