/**
 * wireMenu turns `panel` into a drawer on narrow screens, opened and closed
 * by `toggle` (aria-expanded says which). Open, it takes the focus and
 * Escape closes it, giving the focus back to `toggle`. On wide screens
 * the panel is always shown (CSS), and toggle is hidden.
 */
export function wireMenu({ toggle, panel, backdrop }) {
  const isOpen = () => toggle.getAttribute('aria-expanded') === 'true';

  function set(open, { restoreFocus = true } = {}) {
    toggle.setAttribute('aria-expanded', String(open));
    panel.classList.toggle('open', open);
    backdrop.hidden = !open;
    if (open) (panel.querySelector('[aria-current]') ?? panel.querySelector('button, input'))?.focus();
    else if (restoreFocus && panel.contains(document.activeElement)) toggle.focus();
  }

  toggle.addEventListener('click', () => set(!isOpen()));
  backdrop.addEventListener('click', () => set(false));
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && isOpen()) {
      event.preventDefault();
      set(false);
    }
  });

  return {
    /** close shuts the drawer, leaving the focus to whoever moves it next. */
    close() {
      if (isOpen()) set(false, { restoreFocus: false });
    },
  };
}
