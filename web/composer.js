// PROTOCOL.md: 1 … 4000 characters (code points) after trimming.
const MAX_CHARACTERS = 4000;

/**
 * wireComposer makes `text` send on Enter and add a line on Shift+Enter
 * (an IME composition's Enter is left alone), grows the box with its
 * content, and keeps focus in it so one can type message after message.
 * `onSend(text)` gets the trimmed text; a problem is shown in `hint`.
 */
export function wireComposer({ form, text, hint, onSend }) {
  function submit() {
    const value = text.value.trim();
    if (value.length === 0) return;
    const length = [...value.normalize('NFC')].length;
    if (length > MAX_CHARACTERS) {
      showHint(`This message has ${length.toLocaleString()} characters; the limit is ${MAX_CHARACTERS.toLocaleString()}.`);
      return;
    }
    showHint('');
    onSend(value);
    text.value = '';
    fit();
  }

  function showHint(sentence) {
    hint.textContent = sentence;
    hint.hidden = sentence === '';
  }

  function fit() {
    text.style.height = 'auto';
    text.style.height = `${text.scrollHeight}px`;
  }

  text.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    submit();
  });
  text.addEventListener('input', fit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
    text.focus();
  });
}
