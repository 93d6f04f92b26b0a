// Accessibility fixes for the two pages drawn by third-party apps: the API reference (/docs, Scalar) and
// the queue board (/operator/queues, Bull Board). Both re-render as one reads them, so every change of
// the page is followed by one pass over it (the pass is idempotent):
// - an unnamed button gets a name (its tooltip, the title of its icon, or what it is for);
// - a button whose aria-label omits its visible text is named by both;
// - aria-selected on a plain button (not a tab or an option) becomes aria-current;
// - a list that scrolls on its own can be reached by keyboard;
// - an icon drawn as an image without a name gets one.
// Colours and contrast are in the page's theme (web/api-reference.ts, queues-a11y.css).
(() => {
  const zh = (document.documentElement.lang || '').startsWith('zh');
  const words = zh
    ? {
        language: '选择代码语言',
        search: '搜索',
        copy: '复制代码',
        toggle: '展开或收起',
        menu: '菜单',
        close: '关闭',
        button: '按钮',
        logo: '队列面板',
      }
    : {
        language: 'Choose a code language',
        search: 'Search',
        copy: 'Copy code',
        toggle: 'Show or hide',
        menu: 'Menu',
        close: 'Close',
        button: 'Button',
        logo: 'Queue board',
      };
  /** the text a screen reader reads of an element: neither what is aria-hidden nor what is not rendered */
  const visibleText = (el) => {
    let text = '';
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest('[aria-hidden="true"]')) continue;
      if (parent.checkVisibility && !parent.checkVisibility({ visibilityProperty: true })) continue;
      text += node.textContent;
    }
    return text.replace(/\s+/g, ' ').trim();
  };
  const hasName = (el) =>
    visibleText(el) !== '' ||
    (el.getAttribute('aria-label') || '').trim() !== '' ||
    (el.getAttribute('aria-labelledby') && document.getElementById(el.getAttribute('aria-labelledby'))) ||
    (el.getAttribute('title') || '').trim() !== '';
  const purpose = (el) => {
    const icon = el.querySelector('svg title, img[alt]');
    if (icon) return icon.textContent || icon.getAttribute('alt');
    const data = el.getAttribute('data-tooltip') || el.getAttribute('data-title');
    if (data) return data;
    const classes = el.getAttribute('class') || '';
    if (/client-libraries/.test(classes)) return words.language;
    if (el.getAttribute('role') === 'search' || /search/i.test(classes)) return words.search;
    if (/copy/i.test(classes)) return words.copy;
    if (el.getAttribute('aria-haspopup')) return words.menu;
    if (el.hasAttribute('aria-controls') || el.hasAttribute('aria-expanded')) return words.toggle;
    if (/close/i.test(classes)) return words.close;
    return words.button;
  };
  const pass = () => {
    for (const el of document.querySelectorAll('button, [role="button"]')) {
      // a button given another role (Scalar's search is role="search") takes no name from its text
      const role = el.getAttribute('role');
      const ownRole = role && role !== 'button';
      if (ownRole && !(el.getAttribute('aria-label') || '').trim()) el.setAttribute('aria-label', visibleText(el) || purpose(el));
      if (!hasName(el)) el.setAttribute('aria-label', purpose(el));
      const label = (el.getAttribute('aria-label') || '').trim();
      const text = visibleText(el);
      if (label && text && !label.toLowerCase().includes(text.toLowerCase())) el.setAttribute('aria-label', `${text}: ${label}`);
    }
    for (const el of document.querySelectorAll('button[aria-selected]:not([role]), a[aria-selected]:not([role])')) {
      if (el.getAttribute('aria-selected') === 'true') el.setAttribute('aria-current', 'true');
      else el.removeAttribute('aria-current');
      el.removeAttribute('aria-selected');
    }
    // a list that scrolls on its own (overflow auto or scroll) is reached by keyboard
    for (const el of document.querySelectorAll('ul[aria-label], ol[aria-label], [role="region"]')) {
      const style = getComputedStyle(el);
      if (!el.hasAttribute('tabindex') && /auto|scroll/.test(style.overflowX + style.overflowY)) el.setAttribute('tabindex', '0');
    }
    for (const el of document.querySelectorAll('svg[role="img"]:not([aria-label]):not([aria-labelledby])')) {
      if (!el.querySelector('title')) el.setAttribute('aria-label', words.logo);
    }
  };
  // the pass runs in the observer's callback, right after the app's change and before anything else
  // reads the page; its own changes are not observed
  const schedule = () => {
    observer.disconnect();
    try {
      pass();
    } finally {
      observe();
    }
  };
  const observer = new MutationObserver(schedule);
  const observe = () =>
    observer.observe(document.documentElement, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['aria-selected', 'aria-label', 'class'],
    });
  observe();
  schedule();
  window.addEventListener('resize', schedule);
})();
