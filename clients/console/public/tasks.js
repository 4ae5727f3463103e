// Live task list: when the queue's counts change, fetch the list again and
// say so to screen readers. Without JavaScript the page works by reloading.
(function () {
  const list = document.getElementById("queue-list");
  const status = document.getElementById("live-status");
  if (!list || !window.EventSource) return;
  const queue = list.dataset.queue;
  if (!queue) return;
  const lang = document.documentElement.lang;
  const source = new EventSource("/tasks/live?queue=" + encodeURIComponent(queue));
  source.addEventListener("ready", () => { list.dataset.live = "ready"; });
  source.addEventListener("changed", async () => {
    const response = await fetch("/tasks/list?queue=" + encodeURIComponent(queue), { credentials: "same-origin" });
    if (!response.ok) return;
    list.innerHTML = await response.text();
    status.textContent = lang === "en" ? "New tasks arrived. The list is up to date." : "Nye oppgaver har kommet. Listen er oppdatert.";
  });
  source.addEventListener("refused", (e) => {
    status.textContent = JSON.parse(e.data);
    source.close();
  });
})();
