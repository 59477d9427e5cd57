// Evidence library: multi-file upload with drag and drop and a progress bar per file.
// Each file is posted on its own with XMLHttpRequest (for upload.onprogress); the server
// answers JSON. Without JavaScript the same form posts all files at once.
// Words go through gettext: Django's JavaScript catalog (jsi18n), loaded first.
(() => {
  "use strict";

  const formatBytes = (n) => {
    if (n < 1024) return `${n} bytes`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
    if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
    return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
  };

  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("upload-form");
    if (!form) return;
    const input = document.getElementById("id_up-files");
    const zone = document.getElementById("drop-zone");
    const list = document.getElementById("upload-list");
    const maxBytes = Number(form.dataset.maxBytes || 0);
    const queue = [];
    let busy = false;
    let uploadedCount = 0;

    const addRow = (file) => {
      const li = el("li");
      const label = el("div", "d-flex justify-content-between small");
      label.append(el("span", "fw-semibold", file.name), el("span", "text-muted", formatBytes(file.size)));
      const bar = el("div", "progress");
      bar.setAttribute("role", "progressbar");
      bar.setAttribute("aria-label", `Uploading ${file.name}`);
      bar.setAttribute("aria-valuemin", "0");
      bar.setAttribute("aria-valuemax", "100");
      bar.setAttribute("aria-valuenow", "0");
      const fill = el("div", "progress-bar");
      fill.style.width = "0%";
      bar.append(fill);
      const status = el("div", "small", gettext("Waiting…"));
      li.append(label, bar, status);
      list.append(li);
      return { li, bar, fill, status };
    };

    const setProgress = (row, percent) => {
      row.fill.style.width = `${percent}%`;
      row.bar.setAttribute("aria-valuenow", String(percent));
    };

    const fail = (row, message) => {
      row.fill.classList.add("bg-danger");
      row.status.className = "small text-danger";
      row.status.textContent = `Not uploaded: ${message}`;
    };

    const showDone = () => {
      if (!uploadedCount || document.getElementById("upload-reload")) return;
      const link = el("a", "btn btn-success mt-2", gettext("Show the new items in the library"));
      link.id = "upload-reload";
      link.href = window.location.pathname;
      list.after(link);
    };

    const next = () => {
      if (busy) return;
      const job = queue.shift();
      if (!job) {
        showDone();
        return;
      }
      busy = true;
      const { file, row } = job;
      const data = new FormData(form);
      data.delete("up-files");
      data.append("up-files", file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.setRequestHeader("Accept", "application/json");
      row.status.textContent = gettext("Uploading…");
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) setProgress(row, Math.round((event.loaded / event.total) * 100));
      };
      xhr.upload.onload = () => { row.status.textContent = gettext("Checking the file…"); };
      xhr.onload = () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        const result = body && body.files && body.files[0];
        if (xhr.status === 200 && result && result.ok) {
          setProgress(row, 100);
          row.fill.classList.add("bg-success");
          row.status.className = "small text-success";
          row.status.textContent = gettext("Uploaded. ");
          if (!result.declarations_complete) {
            const details = el("a", "", gettext("Add its declarations"));
            details.href = result.edit_url;
            row.status.append(details);
          }
          uploadedCount += 1;
        } else {
          fail(row, (result && result.error) || (body && body.error) || `the server answered ${xhr.status}.`);
        }
        busy = false;
        next();
      };
      xhr.onerror = () => {
        fail(row, "the connection was lost. Please try again.");
        busy = false;
        next();
      };
      xhr.send(data);
    };

    const enqueue = (files) => {
      Array.from(files).forEach((file) => {
        const row = addRow(file);
        if (file.size === 0) {
          fail(row, "this file is empty (0 bytes).");
        } else if (maxBytes && file.size > maxBytes) {
          fail(row, `this file is ${formatBytes(file.size)}, more than the limit of ${formatBytes(maxBytes)}.`);
        } else {
          queue.push({ file, row });
        }
      });
      next();
    };

    // Pressing Upload with no file chosen says so, beside the field (issue 17).
    const error = document.getElementById("upload-error");
    const showError = (show) => {
      if (!error) return;
      error.hidden = !show;
      if (show) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    };
    input.addEventListener("change", () => showError(false));

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!input.files.length) {
        showError(true);
        input.focus();
        return;
      }
      showError(false);
      enqueue(input.files);
      input.value = "";
    });

    ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("is-dragover");
    }));
    ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.remove("is-dragover");
    }));
    zone.addEventListener("drop", (event) => {
      if (event.dataTransfer && event.dataTransfer.files.length) {
        showError(false);
        enqueue(event.dataTransfer.files);
      }
    });
  });
})();
