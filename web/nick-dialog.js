import { describeError } from './errors.js';
import { nickProblem } from './nick.js';

/**
 * askNick opens the nick dialog and resolves true once `claim(nick)`
 * succeeded (the server opened a session for it). A refusal — most often
 * 409 NICK_TAKEN — is shown in the dialog, which stays open for another
 * try. `reason` says why the dialog opened when the person did not ask for
 * it. With `cancellable`, Escape keeps things as they were and resolves
 * false; otherwise the dialog cannot be dismissed.
 */
export function askNick({ dialog, form, input, error, note, reason = null, suggestion = '', cancellable = false, claim }) {
  const submit = form.querySelector('button[type="submit"]');
  return new Promise((resolve) => {
    let busy = false;
    input.value = suggestion ?? '';
    note.textContent = reason ?? '';
    note.hidden = reason === null;
    show('');

    function show(sentence) {
      error.textContent = sentence;
      error.hidden = sentence === '';
    }

    async function onSubmit(event) {
      event.preventDefault();
      if (busy) return;
      const value = input.value.trim();
      const problem = nickProblem(value);
      if (problem !== null) {
        show(problem);
        input.focus();
        return;
      }
      busy = true;
      submit.disabled = true;
      show('');
      try {
        await claim(value);
        finish(true);
      } catch (refusal) {
        show(describeError(refusal));
        input.focus();
        input.select();
      } finally {
        busy = false;
        submit.disabled = false;
      }
    }

    function onCancel(event) {
      event.preventDefault();
      if (cancellable && !busy) finish(false);
    }

    function finish(claimed) {
      form.removeEventListener('submit', onSubmit);
      dialog.removeEventListener('cancel', onCancel);
      dialog.close();
      resolve(claimed);
    }

    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    input.focus();
    input.select();
  });
}
