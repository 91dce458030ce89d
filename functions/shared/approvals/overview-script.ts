/**
 * The overview page's one script (./overview-html.ts puts it in the page,
 * ./headers.ts allows it by its hash in the CSP).
 */

/** Seconds between two refreshes while the page is visible. */
export const REFRESH_SECONDS = 30;

/**
 * The refresh script. Hand-written and tiny: no framework is needed to
 * fetch one JSON document and swap one element. It sends no credentials
 * or Referer, adds no inline handler, and stops while the tab is hidden.
 */
export const OVERVIEW_SCRIPT = `(() => {
  const live = document.getElementById('live');
  const state = document.getElementById('refresh-state');
  const button = document.getElementById('refresh');
  if (!live || !state || !button) return;
  let busy = false;
  async function refresh() {
    if (busy) return;
    busy = true;
    state.textContent = 'Refreshing…';
    try {
      const res = await fetch(location.href, {
        headers: { accept: 'application/json' },
        cache: 'no-store',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
      if (!res.ok) {
        state.textContent = 'Refresh failed (' + res.status + '): open the link from the latest email.';
        return;
      }
      const data = await res.json();
      const t = document.createElement('template');
      t.innerHTML = data.html;
      live.replaceChildren(t.content);
      state.textContent = 'Refreshed';
    } catch (e) {
      state.textContent = 'Refresh failed: offline?';
    } finally {
      busy = false;
    }
  }
  button.addEventListener('click', refresh);
  setInterval(() => { if (!document.hidden) refresh(); }, ${REFRESH_SECONDS * 1000});
})();`;
