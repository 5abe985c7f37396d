// Every page (the watch page loads it after the first frame): search suggestions while
// typing, into the search box's <datalist>.
const input = document.getElementById("site-search") as HTMLInputElement | null;
const list = document.getElementById("search-suggestions");
let timer: ReturnType<typeof setTimeout> | undefined;
let controller: AbortController | undefined;
let available = true;

input?.addEventListener("input", () => {
  clearTimeout(timer);
  const q = input.value.trim();
  if (!q || !list || !available) return;
  timer = setTimeout(async () => {
    controller?.abort();
    controller = new AbortController();
    try {
      const res = await fetch(`/api/v1/search/suggest?q=${encodeURIComponent(q)}`, { signal: controller.signal });
      // Not served on this deployment: stop asking.
      if (res.status === 404) available = false;
      if (!res.ok) return;
      const { items } = (await res.json()) as { items: string[] };
      list.replaceChildren(
        ...items.slice(0, 10).map((text) => {
          const option = document.createElement("option");
          option.value = text;
          return option;
        }),
      );
    } catch {
      // An aborted or failed suggestion is simply not shown.
    }
  }, 150);
});

// A module (the watch page imports it after the first frame).
export {};
