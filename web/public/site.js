// Small progressive enhancements; every page works without this file.
document.addEventListener('DOMContentLoaded', () => {
  // move focus to a form error so screen readers announce it
  const alert = document.querySelector('[role="alert"]');
  if (alert instanceof HTMLElement) {
    alert.tabIndex = -1;
    alert.focus();
  }
  // commands that name this site's address
  for (const el of document.querySelectorAll('[data-origin]')) el.textContent = location.origin;
});
