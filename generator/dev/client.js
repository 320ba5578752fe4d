// Injected by the dev server into every HTML page it serves (the built files stay clean).
// Reloads the page when a rebuild changed it, swaps stylesheets when only CSS changed, and
// shows the build error over the last good page until the file is fixed.
(() => {
  const source = new EventSource("/__dev/events?path=" + encodeURIComponent(location.pathname));
  source.addEventListener("open", () => { document.documentElement.dataset.devServer = "connected"; });
  source.addEventListener("reload", () => location.reload());
  source.addEventListener("css", (event) => {
    for (const { from, to } of JSON.parse(event.data)) {
      for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
        if (link.getAttribute("href") === from) link.setAttribute("href", to);
      }
    }
  });
  source.addEventListener("build-error", (event) => show(JSON.parse(event.data)));
  source.addEventListener("build-ok", () => document.getElementById("dev-overlay")?.remove());

  function show(error) {
    let overlay = document.getElementById("dev-overlay");
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "dev-overlay";
      overlay.setAttribute("role", "alertdialog");
      overlay.setAttribute("aria-labelledby", "dev-overlay-title");
      overlay.dir = "rtl";
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,20,.92);" +
        "color:#fff;font:16px/1.6 system-ui,sans-serif;padding:2rem;overflow:auto";
      document.body.append(overlay);
    }
    overlay.replaceChildren();
    const title = document.createElement("h2");
    title.id = "dev-overlay-title";
    title.textContent = "تعذّر بناء الموقع";
    title.style.cssText = "color:#ff8a8a;margin:0 0 1rem";
    const where = document.createElement("p");
    where.className = "dev-overlay-location";
    where.dir = "ltr";
    where.style.cssText = "font:15px/1.5 ui-monospace,monospace;text-align:left;margin:0";
    where.textContent = error.file ? error.file + (error.line ? ":" + error.line : "") : "";
    const message = document.createElement("pre");
    message.className = "dev-overlay-message";
    message.dir = "auto";
    message.style.cssText = "white-space:pre-wrap;font:15px/1.5 ui-monospace,monospace;background:#000;padding:1rem;border-radius:.5rem";
    message.textContent = error.message;
    const note = document.createElement("p");
    note.textContent = "يُعرض آخر إصدار سليم من الموقع. أصلح الملف واحفظه وستختفي هذه الرسالة تلقائيًا.";
    overlay.append(title, where, message, note);
  }
})();
