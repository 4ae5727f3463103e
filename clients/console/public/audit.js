// A verify or replay check with live progress: the daemon's progress comes
// as server-sent events into the <progress>, then the outcome replaces the
// result. Without JavaScript the form posts and the page shows the outcome.
(function () {
  const form = document.getElementById("check-form");
  if (!form || !window.EventSource) return;
  const box = document.getElementById("progress-box");
  const bar = document.getElementById("progress");
  const text = document.getElementById("progress-text");
  const status = document.getElementById("run-status");
  const result = document.getElementById("result");
  const button = form.querySelector("button[type=submit]");
  const locale = document.documentElement.lang === "en" ? "en-GB" : "nb-NO";
  const number = (n) => Number(n).toLocaleString(locale);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = new URLSearchParams(new FormData(form)).toString();
    const source = new EventSource(form.dataset.stream + "?" + query);
    let finished = false;
    let spoken = 0;
    const finish = () => { finished = true; source.close(); button.disabled = false; };
    button.disabled = true;
    box.hidden = false;
    bar.removeAttribute("value"); // indeterminate until the first progress
    text.textContent = "";
    result.innerHTML = "";
    status.textContent = form.dataset.running;

    source.addEventListener("progress", (e) => {
      const p = JSON.parse(e.data);
      bar.max = Math.max(1, p.total);
      bar.value = p.done;
      // Read out at most once a second, and at the end.
      if (Date.now() - spoken > 1000 || p.done >= p.total) {
        text.textContent = form.dataset.progress.replace("{done}", number(p.done)).replace("{total}", number(p.total));
        spoken = Date.now();
      }
    });
    source.addEventListener("result", (e) => {
      const r = JSON.parse(e.data);
      finish();
      if (!bar.hasAttribute("value")) { bar.max = 1; bar.value = 1; }
      result.innerHTML = r.html;
      status.textContent = r.say;
    });
    // The stream failed before an outcome (EventSource would retry and run the
    // check again): post the form instead.
    source.addEventListener("error", () => {
      if (finished) return;
      finish();
      form.submit();
    });
  });
})();
