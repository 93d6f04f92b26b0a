// The upload page: while the job runs, poll its status and move the progress bar; reload when it is done
// or resumed after an interruption.
document.addEventListener('DOMContentLoaded', () => {
  const note = document.querySelector('[data-poll]');
  const bar = document.getElementById('upload-progress');
  if (!(note instanceof HTMLElement) || !(bar instanceof HTMLProgressElement)) return;
  const url = note.dataset.poll;
  const tick = async () => {
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      const body = await res.json();
      bar.value = body.progressPercent;
      if (bar.nextElementSibling) bar.nextElementSibling.textContent = `${body.progressPercent} %`;
      // done, or taken up again after an interruption: the page says so
      if ((body.status !== 'queued' && body.status !== 'running') || (body.interrupted && note.dataset.interrupted !== 'true')) {
        window.location.reload();
        return;
      }
    } catch {
      // try again on the next tick
    }
    setTimeout(tick, 500);
  };
  setTimeout(tick, 300);
});
