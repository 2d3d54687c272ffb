import { nickProblem, saveNick } from './nick.js';

/**
 * askNick opens the nick dialog and resolves with the chosen nick once it
 * is valid and saved. With `current` set (changing one's nick), Escape
 * keeps the current one; without it the dialog cannot be dismissed.
 */
export function askNick({ dialog, form, input, error, current }) {
  return new Promise((resolve) => {
    input.value = current ?? '';
    error.hidden = true;

    function onSubmit(event) {
      event.preventDefault();
      const value = input.value.trim();
      const problem = nickProblem(value);
      if (problem !== null) {
        error.textContent = problem;
        error.hidden = false;
        input.focus();
        return;
      }
      saveNick(value);
      finish(value);
    }

    function onCancel(event) {
      event.preventDefault();
      if (current) finish(current);
    }

    function finish(value) {
      form.removeEventListener('submit', onSubmit);
      dialog.removeEventListener('cancel', onCancel);
      dialog.close();
      resolve(value);
    }

    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    input.focus();
  });
}
