// Narrative editor: autosave after a pause, with the version the text was based on.
// If someone else saved in between, the server refuses (409) and sends their text: both
// texts are shown and nothing is overwritten until the person chooses.
// Words go through gettext: Django's JavaScript catalog (jsi18n), loaded first.
(() => {
  "use strict";
  const PAUSE_MS = 1500;

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("narrative-form");
    if (!form) return;
    const textarea = form.querySelector("textarea[name=narrative]");
    const version = form.querySelector("input[name=version]");
    const status = document.getElementById("save-status");
    const panel = document.getElementById("conflict-panel");
    let timer = null;
    let dirty = false;
    let saving = false;
    let again = false;
    let inConflict = false;
    let theirs = "";

    const say = (text) => { status.textContent = text; };

    const save = (keepalive = false) => {
      if (inConflict) return Promise.resolve();
      if (saving) { again = true; return Promise.resolve(); }
      saving = true;
      dirty = false;
      say(gettext("Saving…"));
      const sent = textarea.value;
      return fetch(form.action || window.location.href, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        keepalive,
        headers: { "X-Requested-With": "XMLHttpRequest", Accept: "application/json" },
      }).then((response) => response.json().then((body) => ({ response, body })))
        .then(({ response, body }) => {
          if (response.ok && body.ok) {
            version.value = body.version;
            say(`Saved at ${body.saved_at}`);
          } else if (response.status === 409 && body.conflict) {
            showConflict(sent, body);
          } else {
            dirty = true;
            say(body.error || gettext("Not saved. Please check your text and press Save."));
          }
        })
        .catch(() => {
          dirty = true;
          say(gettext("Not saved: the connection was lost. Your text is still here; press Save to try again."));
        })
        .finally(() => {
          saving = false;
          if (again && !inConflict) { again = false; save(); }
        });
    };

    const showConflict = (mine, body) => {
      inConflict = true;
      dirty = true;
      theirs = body.their_text;
      version.value = body.their_version;
      document.getElementById("conflict-who").textContent = `${body.their_author} saved at ${body.their_saved_at}.`;
      document.getElementById("conflict-mine").textContent = mine;
      document.getElementById("conflict-theirs").textContent = theirs;
      panel.hidden = false;
      say(gettext("Not saved yet: someone else changed this narrative. Choose how to combine the texts."));
      panel.querySelector("h2").setAttribute("tabindex", "-1");
      panel.querySelector("h2").focus();
    };

    const resolve = (text) => {
      textarea.value = text;
      inConflict = false;
      panel.hidden = true;
      textarea.focus();
      save();
    };

    document.getElementById("conflict-keep-mine").addEventListener("click", () => resolve(textarea.value));
    document.getElementById("conflict-use-theirs").addEventListener("click", () => resolve(theirs));
    document.getElementById("conflict-combine").addEventListener("click", () => {
      textarea.value = `${textarea.value}\n\n--- Their text ---\n${theirs}`;
      inConflict = false;
      panel.hidden = true;
      textarea.focus();
      say(gettext("Both texts are in the editor. Tidy them up; it saves after a pause."));
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(() => save(), PAUSE_MS * 4);
    });

    const schedule = () => {
      dirty = true;
      if (!inConflict) say(gettext("Unsaved changes…"));
      clearTimeout(timer);
      timer = setTimeout(() => save(), PAUSE_MS);
    };
    textarea.addEventListener("input", schedule);
    form.querySelectorAll("input[name=self_rating]").forEach((radio) => radio.addEventListener("change", () => {
      clearTimeout(timer);
      save();
    }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(timer);
      if (inConflict) { inConflict = false; panel.hidden = true; }
      save();
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden" && dirty && !inConflict) {
        clearTimeout(timer);
        save(true);
      }
    });
    window.addEventListener("beforeunload", (event) => {
      if (dirty || saving) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    // Autosave is listening from here on (tests wait for this before typing).
    form.dataset.enhanced = "true";
  });
})();
