const SPOKEN = { live: 'Connected.', reconnecting: 'Connection lost; reconnecting.', offline: 'Offline.' };

/**
 * createStatusView shows the connection state in `element` (its
 * data-state is live, reconnecting or offline) and, while waiting to
 * reconnect, counts down to the next try and offers `retry` to try now.
 * Screen readers hear `announce` say each change of state once, not every
 * tick of the countdown.
 */
export function createStatusView({ element, retry, announce }) {
  let ticker = null;

  function show(state, text) {
    if (element.dataset.state !== state) announce.textContent = SPOKEN[state];
    element.dataset.state = state;
    element.textContent = text;
  }

  function countdown(state, at, waiting, due) {
    clearInterval(ticker);
    const tick = () => {
      const seconds = Math.ceil((at - Date.now()) / 1000);
      show(state, seconds > 0 ? `${waiting} ${seconds} s` : due);
    };
    tick();
    // Finer than a second so the displayed count never lags by a whole one.
    ticker = setInterval(tick, 250);
    retry.hidden = false;
  }

  return {
    connecting() {
      clearInterval(ticker);
      show('reconnecting', 'Connecting…');
    },
    live() {
      clearInterval(ticker);
      show('live', 'Live');
      retry.hidden = true;
    },
    reconnecting(at) {
      countdown('reconnecting', at, 'Reconnecting in', 'Reconnecting…');
    },
    offline(at) {
      countdown('offline', at, 'Offline: next try in', 'Offline: waiting for the network');
    },
  };
}
