import { describeError } from './errors.js';
import { nickProblem } from './nick.js';

// PROTOCOL.md: a password is 8 to 128 characters.
const PASSWORD = { min: 8, max: 128 };

/**
 * askNick opens the sign-in dialog and resolves true once
 * `claim(nick, {intent, password})` succeeded (the server opened a session):
 * as a guest (a nick alone), by logging in, or by creating an account,
 * whichever button was pressed (Enter with a password typed logs in). A
 * refusal — a nick taken, a wrong password — is shown in the dialog, which
 * stays open for another try. `reason` says why the dialog opened when the
 * person did not ask for it; with `password` the password is asked for
 * first. With `cancellable`, Escape keeps things as they were and resolves
 * false; otherwise the dialog cannot be dismissed.
 */
export function askNick({ dialog, form, input, passwordInput, error, note, reason = null, suggestion = '', password = false, cancellable = false, claim }) {
  const submits = [...form.querySelectorAll('button[type="submit"]')];
  return new Promise((resolve) => {
    let busy = false;
    input.value = suggestion ?? '';
    passwordInput.value = '';
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
      const secret = passwordInput.value;
      const pressed = event.submitter?.value ?? 'guest';
      const intent = pressed === 'guest' && secret !== '' ? 'login' : pressed;
      const problem = nickProblem(value) ?? passwordProblem(intent, secret);
      if (problem !== null) {
        show(problem);
        (nickProblem(value) === null ? passwordInput : input).focus();
        return;
      }
      busy = true;
      for (const button of submits) button.disabled = true;
      show('');
      try {
        await claim(value, { intent, password: secret });
        finish(true);
      } catch (refusal) {
        show(refusal.code === 'BAD_CREDENTIALS' ? 'That login and password do not match.' : describeError(refusal));
        (intent === 'guest' ? input : passwordInput).focus();
      } finally {
        busy = false;
        for (const button of submits) button.disabled = false;
      }
    }

    function onCancel(event) {
      event.preventDefault();
      if (cancellable && !busy) finish(false);
    }

    function finish(claimed) {
      form.removeEventListener('submit', onSubmit);
      dialog.removeEventListener('cancel', onCancel);
      passwordInput.value = '';
      dialog.close();
      resolve(claimed);
    }

    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    if (password) {
      passwordInput.focus();
      return;
    }
    input.focus();
    input.select();
  });
}

/** passwordProblem says what is wrong with the password for what was asked, or null. */
function passwordProblem(intent, password) {
  if (intent === 'login' && password === '') return 'Type your password to log in.';
  const length = [...password.normalize('NFC')].length;
  if (intent === 'create' && (length < PASSWORD.min || length > PASSWORD.max)) return `A password is ${PASSWORD.min} to ${PASSWORD.max} characters.`;
  return null;
}
